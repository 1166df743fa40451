import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { joinAs, person, playingVideos, ROOT, startApp, waitFor } from './helpers.js';

const HTTP_PORT = 18080;
const HTTPS_PORT = 18443;

/**
 * The shipped site config (deploy/nginx/runde.conf) with only what a test on loopback must
 * change: addresses and ports, certificate and web-root paths, the box's port.
 */
function siteForTest(dir: string, boxPort: string): string {
  return readFileSync(join(ROOT, 'deploy/nginx/runde.conf'), 'utf8')
    .replace(/^\s*listen \[::\].*$/gm, '')
    .replace('listen 80;', `listen 127.0.0.1:${HTTP_PORT};`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${HTTPS_PORT} ssl http2;`)
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${dir}/cert.pem;`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${dir}/key.pem;`)
    .replace('root /opt/runde/static;', `root ${ROOT}static;`)
    .replaceAll('/etc/nginx/snippets/runde-headers.conf', join(ROOT, 'deploy/nginx/runde-headers.conf'))
    .replace('server 127.0.0.1:8080;', `server 127.0.0.1:${boxPort};`);
}

/** A GET that, unlike fetch, neither adds Accept-Encoding nor decompresses; any certificate. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    request(url, { headers, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume().on('end', () => resolve({ status: res.statusCode!, headers: res.headers }));
    })
      .on('error', reject)
      .end();
  });
}

async function startNginx(t: TestContext, boxPort: string): Promise<void> {
  const dir = mkdtempSync(join(ROOT, '.tmp', 'nginx-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`],
    { stdio: 'ignore' },
  );
  writeFileSync(`${dir}/site.conf`, siteForTest(dir, boxPort));
  // root: the temporary folder is private to this user (mkdtemp), and so is the test.
  writeFileSync(
    `${dir}/nginx.conf`,
    `daemon off; user root; worker_processes 1; pid ${dir}/nginx.pid; error_log stderr;
events {}
http {
  include /etc/nginx/mime.types;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/site.conf;
}
`,
  );
  execFileSync('nginx', ['-t', '-p', dir, '-c', `${dir}/nginx.conf`], { stdio: 'pipe' });
  // No pipes to nginx: its workers would hold them open and keep this test process alive.
  const nginx = spawn('nginx', ['-p', dir, '-c', `${dir}/nginx.conf`], { stdio: 'ignore' });
  // SIGTERM: the master stops its workers too (SIGKILL would orphan them).
  t.after(async () => {
    nginx.kill('SIGTERM');
    await new Promise((resolve) => (nginx.exitCode === null ? nginx.once('exit', resolve) : resolve(null)));
  });
  const probe = () =>
    fetch(`http://127.0.0.1:${HTTP_PORT}/`, { redirect: 'manual', signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.status,
      () => 0,
    );
  await waitFor(probe, (s) => s === 301, 'nginx up');
}

test('a whole call through the shipped nginx site: static files, their gzip copies, /ws proxied, TLS, security headers', async (t) => {
  const box = await startApp(t, { STATIC_DIR: '', TRUST_PROXY: 'true' }); // the box alone, as in production
  await startNginx(t, new URL(box.url).port);
  const origin = `https://127.0.0.1:${HTTPS_PORT}`;

  const redirect = await fetch(`http://127.0.0.1:${HTTP_PORT}/x`, { redirect: 'manual' });
  assert.equal(redirect.headers.get('location'), `https://127.0.0.1/x`);

  const [ada, bob] = [await person(t, undefined, ['--ignore-certificate-errors']), await person(t, undefined, ['--ignore-certificate-errors'])];
  const response = await ada.page.goto(`${origin}/?lang=en`);
  const headers = response!.headers();
  assert.match(headers['content-security-policy'], /default-src 'self'/);
  assert.equal(headers['referrer-policy'], 'no-referrer');
  assert.equal(headers['x-content-type-options'], 'nosniff');
  assert.match(headers['strict-transport-security'], /max-age=/);

  // The build's gzip copies (gzip_static), never the copies themselves as files.
  const script = await rawGet(`${origin}/build/app.js`, { 'Accept-Encoding': 'gzip' });
  assert.equal(script.headers['content-encoding'], 'gzip');
  assert.equal(script.headers.vary, 'Accept-Encoding');
  assert.equal(Number(script.headers['content-length']), readFileSync(join(ROOT, 'static/build/app.js.gz')).length);
  assert.equal((await rawGet(`${origin}/build/app.js.gz`, {})).status, 404);

  const link = `${origin}/?lang=en#${'X'.repeat(22)}`;
  await joinAs(ada.page, link, 'Ada');
  await joinAs(bob.page, link, 'Bob');
  for (const p of [ada, bob])
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      'a call through nginx',
    );
  const health = await ada.page.evaluate(async () => (await fetch('/healthz')).json());
  assert.equal(health.peers, 2);
});
