import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyOfStatic, joinAs, person, ROOT, startApp, waitFor } from './helpers.js';
import { accessLog, errorLog, HTTP_PORT, HTTPS_PORT, nginxDir, onLoopback, rawGet, startNginx, twoPeopleCall } from './nginx-helpers.js';

/** The box-only site's port, beside the app's (runde-box.conf listens on 443 as well). */
const BOX_HTTPS_PORT = 18444;
/** A plain static host (no headers of its own) on another origin than the box. */
const PLAIN_PORT = 18081;

/**
 * A shipped site file from deploy/nginx as the repository has it, for a box on `boxPort`: the
 * snippets it includes (/usr/share/runde/nginx/… once installed) and the app (/usr/share/runde/static)
 * from this checkout, the snippet's box address on the test's box.
 */
function shippedSite(name: string, dir: string, boxPort: string): string {
  const snippet = readFileSync(join(ROOT, 'deploy/nginx/runde-box-locations.conf'), 'utf8').replaceAll('127.0.0.1:8080', `127.0.0.1:${boxPort}`);
  const snippetPath = join(dir, 'runde-box-locations.conf');
  writeFileSync(snippetPath, snippet);
  return readFileSync(join(ROOT, 'deploy/nginx', name), 'utf8')
    .replace('/usr/share/runde/nginx/runde-box-locations.conf', snippetPath)
    .replaceAll('/usr/share/runde/nginx/', join(ROOT, 'deploy/nginx/'))
    .replace('root /usr/share/runde/static;', `root ${ROOT}static;`);
}

/** The text that the app shows (its screens live in shadow roots). */
function shownText(page: Awaited<ReturnType<typeof person>>['page']): Promise<string> {
  return page.evaluate(() => {
    // A loop, not a named helper: the test's compiler would wrap a named function in a helper
    // that the page does not have.
    const texts: string[] = [];
    const roots: (Element | ShadowRoot)[] = [document.documentElement];
    while (roots.length > 0) {
      const root = roots.pop()!;
      for (const el of Array.from(root.querySelectorAll('*'))) if (el.shadowRoot) roots.push(el.shadowRoot);
      texts.push(root.textContent ?? '');
    }
    return texts.join(' ');
  });
}

test('a whole call through the shipped nginx sites: static files, their gzip copies, /ws proxied, TLS, security headers, no access log', async (t) => {
  const box = await startApp(t, { STATIC_DIR: '', TRUST_PROXY: 'true' }); // the box alone, as in production
  const dir = nginxDir();
  const boxPort = new URL(box.url).port;
  const sites = ['runde-acme.conf', 'runde.conf'].map((name) => onLoopback(shippedSite(name, dir, boxPort), dir));
  const nginx = await startNginx(t, dir, sites, `http://127.0.0.1:${HTTP_PORT}/`, 301);
  const origin = `https://127.0.0.1:${HTTPS_PORT}`;

  const redirect = await rawGet(`http://127.0.0.1:${HTTP_PORT}/x`, {});
  assert.equal(redirect.headers.location, `https://127.0.0.1/x`);
  assert.equal(redirect.headers.server, 'nginx', 'server_tokens off: no version');

  const page = await rawGet(`${origin}/?lang=en`, {});
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.match(String(page.headers['strict-transport-security']), /max-age=/);
  assert.equal(page.headers.server, 'nginx');

  // The build's gzip copies (gzip_static), never the copies themselves as files.
  const script = await rawGet(`${origin}/build/app.js`, { 'Accept-Encoding': 'gzip' });
  assert.equal(script.headers['content-encoding'], 'gzip');
  assert.equal(script.headers.vary, 'Accept-Encoding');
  assert.equal(Number(script.headers['content-length']), readFileSync(join(ROOT, 'static/build/app.js.gz')).length);
  assert.equal((await rawGet(`${origin}/build/app.js.gz`, {})).status, 404);
  // What the app asks for exists: config.json (the shipped default), and the origin check of the box.
  assert.equal((await rawGet(`${origin}/config.json`, {})).status, 200);
  assert.deepEqual(JSON.parse((await rawGet(`${origin}/ws?origin=${encodeURIComponent(origin)}`, {})).body), { origin, allowed: true });
  // /metrics through nginx: the box refuses a relayed request without its token (no nginx deny line).
  assert.equal((await rawGet(`${origin}/metrics`, {})).status, 403);

  await twoPeopleCall(t, `${origin}/?lang=en#${'X'.repeat(22)}`);
  const health = JSON.parse((await rawGet(`${origin}/healthz`, {})).body);
  assert.equal(health.peers, 2);

  // What visitors did left no line with their address: no access log on either server, and
  // the error log (a missing file was asked for, /metrics was refused) holds no client line.
  assert.equal((await rawGet(`${origin}/no-such-file`, {})).status, 404);
  assert.equal(accessLog(nginx), '', 'access_log off on every Runde server');
  assert.doesNotMatch(errorLog(nginx), /client:/);
});

test('the app under /runde/ of a plain static host (no headers of its own) with the box behind the shipped box-only site on another origin', async (t) => {
  const app = `http://127.0.0.1:${PLAIN_PORT}`;
  // The trailing slash is how people write it; the box takes it as the origin.
  const box = await startApp(t, { STATIC_DIR: '', TRUST_PROXY: 'true', ALLOWED_ORIGINS: `${app}/` });
  const dir = nginxDir();
  const files = copyOfStatic(t, { 'config.json': JSON.stringify({ signalingUrls: [`wss://127.0.0.1:${BOX_HTTPS_PORT}/ws`] }) });
  const plain = `log_format runde_test '$status $request_uri';
server {
  listen 127.0.0.1:${PLAIN_PORT};
  access_log ${dir}/plain.log runde_test;
  location /runde/ { alias ${files}/; }
}`;
  const boxSite = onLoopback(shippedSite('runde-box.conf', dir, new URL(box.url).port), dir, BOX_HTTPS_PORT);
  await startNginx(t, dir, [plain, boxSite], `${app}/runde/`, 200);
  assert.equal((await rawGet(`https://127.0.0.1:${BOX_HTTPS_PORT}/`, {})).status, 404, 'the box-only site serves nothing else');

  await twoPeopleCall(t, `${app}/runde/?lang=en#${'S'.repeat(22)}`);
  const requests = readFileSync(`${dir}/plain.log`, 'utf8').trim().split('\n');
  assert.ok(
    requests.some((r) => r.startsWith('200 /runde/build/app.js')),
    'the app came from /runde/',
  );
  assert.deepEqual(
    requests.filter((r) => !/^(200|304) \/runde\//.test(r)),
    [],
    'nothing outside /runde/, and no 404 (config.json, the liveness probe)',
  );
});

test('a site the box does not allow: the person reads that the meeting server refuses this website', async (t) => {
  const app = `http://127.0.0.1:${PLAIN_PORT}`;
  const box = await startApp(t, { STATIC_DIR: '', TRUST_PROXY: 'true', ALLOWED_ORIGINS: 'https://meet.example.org' });
  const dir = nginxDir();
  const files = copyOfStatic(t, { 'config.json': JSON.stringify({ signalingUrls: [`wss://127.0.0.1:${BOX_HTTPS_PORT}/ws`] }) });
  const plain = `server { listen 127.0.0.1:${PLAIN_PORT}; location /runde/ { alias ${files}/; } }`;
  const boxSite = onLoopback(shippedSite('runde-box.conf', dir, new URL(box.url).port), dir, BOX_HTTPS_PORT);
  await startNginx(t, dir, [plain, boxSite], `${app}/runde/`, 200);
  const ada = await person(t, undefined, ['--ignore-certificate-errors']);
  await joinAs(ada.page, `${app}/runde/?lang=en#${'R'.repeat(22)}`, 'Ada');
  const text = await waitFor(
    () => shownText(ada.page),
    (s) => s.includes('does not accept connections from this website'),
    'the refusal sentence',
  );
  assert.doesNotMatch(text, /Check your network/);
});
