/**
 * The Debian package as docs/deploy.md installs it: `apt-get install ./runde_<version>_all.deb`,
 * the shipped nginx sites from /usr/share/runde/nginx with the guide's name replaced,
 * ALLOWED_ORIGINS set in /etc/runde/box.env as the guide does, and the box started as
 * runde-box.service would start it (no systemd here: its ExecStart under setpriv as its User, with
 * its Environment, EnvironmentFile and WorkingDirectory). Then a call through nginx over TLS, an
 * update that keeps the edited settings, and `apt-get purge runde`, which the test always runs.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { untilOutput } from '../process.js';
import { DEB } from '../../scripts/release.js';
import { ROOT } from './helpers.js';
import { accessLog, HTTP_PORT, HTTPS_PORT, nginxDir, onLoopback, rawGet, startNginx, twoPeopleCall } from './nginx-helpers.js';

const UNIT = '/lib/systemd/system/runde-box.service';
const ENV_FILE = '/etc/runde/box.env';
/** apt waits for another apt or dpkg on this machine rather than failing at once. */
const APT = ['-y', '-q', '-o', 'DPkg::Lock::Timeout=600'];

const sh = (command: string, args: string[]) => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
// biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format, not a template
const installed = () => spawnSync('dpkg-query', ['-W', '-f', '${Status}', 'runde'], { encoding: 'utf8' }).stdout.includes('install ok installed');
const userExists = () => spawnSync('getent', ['passwd', 'runde']).status === 0;

/** systemd's reading of an EnvironmentFile: KEY=VALUE lines, blank lines and # comments ignored. */
function environmentFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.trim().replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/**
 * The unit's ExecStart run as the unit would run it, under setpriv as its User and Group; resolves
 * once it listens. `stop` sends the unit's KillSignal and waits for the exit.
 */
async function startAsTheUnitWould(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const unit = readFileSync(UNIT, 'utf8');
  const key = (name: string) => [...unit.matchAll(new RegExp(`^${name}=(.*)$`, 'gm'))].map((m) => m[1]!.trim());
  const env: Record<string, string> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
  for (const assignments of key('Environment')) for (const pair of assignments.split(/\s+/)) Object.assign(env, environmentFile(pair));
  for (const file of key('EnvironmentFile')) Object.assign(env, environmentFile(readFileSync(file.replace(/^-/, ''), 'utf8')));
  const [user, group, cwd, exec] = [key('User')[0]!, key('Group')[0]!, key('WorkingDirectory')[0]!, key('ExecStart')[0]!];
  const box = spawn('setpriv', ['--reuid', user, '--regid', group, '--init-groups', '--no-new-privs', '--inh-caps=-all', '--', ...exec.split(/\s+/)], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async () => {
    box.kill(key('KillSignal')[0] as NodeJS.Signals);
    await new Promise((resolve) => (box.exitCode === null && box.signalCode === null ? box.once('exit', resolve) : resolve(null)));
  };
  try {
    await untilOutput(box, /listening on http:\/\/127\.0\.0\.1:8080 /, `${exec} as ${user}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid: box.pid!, stop };
}

test('the .deb installs, runs the box as the unit would under its own user, holds a call through nginx over TLS, keeps its settings on update, and purges', async (t) => {
  assert.ok(!installed(), 'runde is installed on this machine already: this test installs and purges it, so it will not run here');
  const hadUser = userExists();
  execFileSync('npm', ['run', '--silent', 'release'], { cwd: ROOT, stdio: 'pipe' });

  // One clean-up, in order: the box (it runs as runde), then the package, then the user.
  let stopBox = async () => {};
  t.after(async () => {
    await stopBox();
    spawnSync('apt-get', ['purge', ...APT, 'runde'], { stdio: 'ignore' });
    if (!hadUser) spawnSync('deluser', ['--system', 'runde'], { stdio: 'ignore' });
  });
  // docs/deploy.md, step 1.
  sh('apt-get', ['install', ...APT, DEB]);
  assert.ok(installed());
  const passwd = sh('getent', ['passwd', 'runde']).trim().split(':');
  assert.equal(passwd[6], '/usr/sbin/nologin', 'a system user without a shell');
  assert.match(sh('stat', ['-c', '%U:%G %a', ENV_FILE]), /^root:runde 640/);

  // Steps 3 and 4: the shipped sites, with the guide's sed for the name; the test adds only its
  // loopback ports and a self-signed certificate.
  const name = '127.0.0.1';
  const guideSed = (text: string) => text.replaceAll('meet.example.org', name).replace(' turn.example.org', '').replace(' box.example.org', '');
  const dir = nginxDir();
  const sites = ['runde-acme.conf', 'runde.conf'].map((file) => onLoopback(guideSed(readFileSync(`/usr/share/runde/nginx/${file}`, 'utf8')), dir));
  const origin = `https://${name}:${HTTPS_PORT}`;
  // Step 5: the guide's sed on box.env.
  sh('sed', ['-i', `s|^#ALLOWED_ORIGINS=.*|ALLOWED_ORIGINS=${origin}|`, ENV_FILE]);
  const box = await startAsTheUnitWould();
  stopBox = box.stop;
  const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${box.pid}/status`, 'utf8'))?.[1];
  assert.equal(uid, sh('id', ['-u', 'runde']).trim(), 'the box runs as runde');
  const nginx = await startNginx(t, dir, sites, `http://127.0.0.1:${HTTP_PORT}/`, 301);

  assert.equal((await rawGet(`${origin}/config.json`, {})).body.trim(), readFileSync('/etc/runde/config.json', 'utf8').trim());
  await twoPeopleCall(t, `${origin}/?lang=en#${'D'.repeat(22)}`);
  assert.equal(JSON.parse((await rawGet(`${origin}/healthz`, {})).body).peers, 2);
  assert.equal(accessLog(nginx), '');

  // An update (here the same version again) keeps the edited settings and the deployer's config.json.
  writeFileSync('/etc/runde/config.json', '{ "uploadKbps": 1000 }\n');
  sh('apt-get', ['install', '--reinstall', ...APT, DEB]);
  assert.match(readFileSync(ENV_FILE, 'utf8'), new RegExp(`^ALLOWED_ORIGINS=${origin}$`, 'm'));
  assert.equal(readFileSync('/etc/runde/config.json', 'utf8'), '{ "uploadKbps": 1000 }\n');
  assert.match(sh('stat', ['-c', '%U:%G %a', ENV_FILE]), /^root:runde 640/);
});
