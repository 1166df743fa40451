/**
 * `npm run release`: the archive and the Debian package hold what docs/deploy.md says, and the
 * bundled box runs with `node` alone, outside the project (no node_modules), on this machine's
 * Node and on Debian 12's own Node 18, which the package allows.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { before, test, type TestContext } from 'node:test';
import { ARCHIVE, DEB, NODE_TARGET, VERSION } from '../../scripts/release.js';
import { debianNode18 } from '../debian-node.js';
import { untilOutput } from '../process.js';
import { newRoomId, TestClient } from './helpers.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const NAME = `runde-${VERSION}`;

before(() => {
  execFileSync('npm', ['run', '--silent', 'release'], { cwd: ROOT, stdio: 'pipe' });
});

/** The archive unpacked outside the project, where no node_modules can be found by walking up. */
function unpacked(t: TestContext): string {
  const dir = mkdtempSync('/tmp/runde-release-');
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('tar', ['-xzf', ARCHIVE, '-C', dir]);
  return join(dir, NAME);
}

/** Starts the bundled box with `command` on a free port; a whole join and relay through it. */
async function holdsARoom(t: TestContext, command: string[], cwd: string): Promise<void> {
  const child = spawn(command[0]!, [...command.slice(1), '--max-semi-space-size=8', 'box/runde-box.mjs'], {
    cwd,
    env: { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', ALLOWED_ORIGINS: 'https://meet.example.org/' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill('SIGKILL'));
  const [, url] = await untilOutput(child, /listening on (http:\/\/\S+) /, `the bundled box (${command.join(' ')})`);
  const health = await (await fetch(`${url}/healthz`)).json();
  assert.equal(health.status, 'ok');
  const wsUrl = `${url.replace('http:', 'ws:')}/ws`;
  const room = newRoomId();
  const [a, b] = [await TestClient.open(wsUrl, { Origin: 'https://meet.example.org' }), await TestClient.open(wsUrl)];
  await a.join(room);
  await b.join(room);
  a.send({ type: 'signal', to: b.id, data: { sealed: 'x' } });
  assert.deepEqual(await b.next(), { type: 'signal', from: a.id, data: { sealed: 'x' } });
  await assert.rejects(TestClient.open(wsUrl, { Origin: 'https://elsewhere.example' }), /HTTP 403/);
  const metrics = await (await fetch(`${url}/metrics`)).text();
  assert.match(metrics, /^runde_peers 2$/m);
  a.close();
  b.close();
}

test('the archive holds the precompressed app, the box as one file, the deployment files and the guides', () => {
  const files = execFileSync('tar', ['-tzf', ARCHIVE], { encoding: 'utf8' }).split('\n');
  for (const path of [
    'static/index.html',
    'static/index.html.br',
    'static/index.html.gz',
    'static/build/app.js.gz',
    'static/config.json',
    'static/sw.js',
    'box/runde-box.mjs',
    'deploy/nginx/runde.conf',
    'deploy/nginx/runde-acme.conf',
    'deploy/nginx/runde-box.conf',
    'deploy/coturn/turnserver.conf',
    'deploy/certbot/runde-deploy-hook',
    'docs/deploy.md',
    'docs/deploy.de.md',
    'docs/privacy.md',
    'VERSION',
  ]) {
    assert.ok(files.includes(`${NAME}/${path}`), path);
  }
  assert.ok(!files.some((f) => f.includes('node_modules')), 'no node_modules');
});

test('the .deb: a versioned package on Debian nodejs with the unit, conffiles in /etc/runde and the examples', () => {
  const field = (name: string) => execFileSync('dpkg-deb', ['-f', DEB, name], { encoding: 'utf8' }).trim();
  assert.equal(field('Package'), 'runde');
  assert.equal(field('Version'), VERSION);
  assert.equal(field('Architecture'), 'all');
  assert.match(field('Depends'), /^nodejs \(>= 18\.19\), adduser$/);
  assert.equal(NODE_TARGET, 'node18.19', 'the bundle targets what Depends allows');
  const conffiles = execFileSync('dpkg-deb', ['--info', DEB, 'conffiles'], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(conffiles, ['/etc/runde/box.env', '/etc/runde/config.json']);
  const listing = execFileSync('dpkg-deb', ['-c', DEB], { encoding: 'utf8' });
  for (const path of [
    './lib/systemd/system/runde-box.service',
    './usr/lib/runde/runde-box.mjs',
    './usr/share/runde/static/index.html.br',
    './usr/share/runde/nginx/runde.conf',
    './usr/share/runde/nginx/runde-acme.conf',
    './usr/share/runde/nginx/runde-box.conf',
    './usr/share/runde/coturn/turnserver.conf',
    './usr/share/runde/coturn/runde.conf',
    './usr/share/runde/certbot/runde-deploy-hook',
    './usr/share/doc/runde/deploy.de.md',
  ]) {
    assert.ok(listing.includes(` ${path}\n`), path);
  }
  // The settings may hold secrets; the deployer's config.json is the one the app reads.
  assert.match(listing, /^-rw-r----- root\/root .* \.\/etc\/runde\/box\.env$/m);
  assert.match(listing, /\.\/usr\/share\/runde\/static\/config\.json -> \/etc\/runde\/config\.json$/m);
});

test('the bundled box runs with this machine’s node alone, outside the project', async (t) => {
  await holdsARoom(t, [process.execPath], unpacked(t));
});

test('the bundled box runs on Debian 12’s own Node 18', async (t) => {
  let node: string[];
  try {
    node = debianNode18();
  } catch (err) {
    // Locally without Debian's archive: say why; on CI the run counts a skip as a failure.
    t.skip(`Debian's Node 18 could not be fetched: ${(err as Error).message}`);
    return;
  }
  const version = execFileSync(node[0]!, [...node.slice(1), '--version'], { encoding: 'utf8' }).trim();
  assert.match(version, /^v18\./);
  await holdsARoom(t, node, unpacked(t));
});
