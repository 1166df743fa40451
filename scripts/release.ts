/**
 * `npm run release`: what an administrator installs, built from this checkout into dist/release/:
 *
 * - `runde-<version>.tar.gz`: the built, precompressed app (`static/`), the box bundled into one
 *   file with its dependencies (`box/runde-box.mjs`, runs with `node` alone: no npm, no
 *   node_modules), the deployment files (`deploy/`) and the guides (`docs/`);
 * - `runde_<version>_all.deb`, made from the same files with dpkg-deb: the box under the system
 *   user `runde` with its systemd unit, `/etc/runde/box.env` and `/etc/runde/config.json` as
 *   conffiles (kept across updates), the app in /usr/share/runde/static, and the nginx sites,
 *   coturn configuration and drop-in and the certbot hook as examples in /usr/share/runde/.
 *
 * The box is bundled for Node 18, the `nodejs` of Debian 12 itself (test/node/release.test.ts
 * runs it on Debian's own Node 18 binary), so the package needs nothing beyond Debian's archive.
 *
 *   tsx scripts/release.ts            both artefacts
 */
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, SERVER_BUILD } from './build.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const RELEASE_DIR = join(ROOT, 'dist/release');
export const VERSION: string = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
export const ARCHIVE = join(RELEASE_DIR, `runde-${VERSION}.tar.gz`);
export const DEB = join(RELEASE_DIR, `runde_${VERSION}_all.deb`);

/** Debian 12's own nodejs is 18.19 and newer (bookworm-security: 18.20). */
export const NODE_TARGET = 'node18.19';
/** What the package needs from Debian: Node (Debian's own, or a newer one from elsewhere) and adduser. */
const DEPENDS = 'nodejs (>= 18.19), adduser';
const DOCS = ['README.md', 'docs/deploy.md', 'docs/deploy.de.md', 'docs/privacy.md', 'docs/privacy.de.md'];

/**
 * The box and its dependencies as one ES module. `ws` asks for two optional native add-ons in a
 * try/catch and works without them; CommonJS packages in an ES module need a `require`.
 */
export const BOX_BUNDLE: esbuild.BuildOptions = {
  ...SERVER_BUILD,
  entryPoints: undefined,
  outdir: undefined,
  outExtension: undefined,
  packages: undefined,
  stdin: undefined,
  target: NODE_TARGET,
  sourcemap: false,
  external: ['bufferutil', 'utf-8-validate'],
  legalComments: 'eof',
  banner: { js: "import { createRequire as __rundeRequire } from 'node:module';\nconst require = __rundeRequire(import.meta.url);" },
};

/** Writes the box into `outfile`. */
export async function bundleBox(outfile: string): Promise<void> {
  await esbuild.build({ ...BOX_BUNDLE, entryPoints: [join(ROOT, 'signaling/main.ts')], outfile });
}

/** The archive's tree: app, box, deployment files and guides, under `runde-<version>/`. */
async function stageArchive(dir: string): Promise<void> {
  cpSync(join(ROOT, 'static'), join(dir, 'static'), { recursive: true, preserveTimestamps: true });
  await bundleBox(join(dir, 'box/runde-box.mjs'));
  cpSync(join(ROOT, 'deploy'), join(dir, 'deploy'), { recursive: true, filter: (src) => !src.includes('/deploy/debian') });
  for (const doc of DOCS) cpSync(join(ROOT, doc), join(dir, doc));
  writeFileSync(join(dir, 'VERSION'), `${VERSION}\n`);
}

function du(dir: string): number {
  let bytes = 0;
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    const stat = statSync(join(dir, entry), { throwIfNoEntry: false });
    if (stat?.isFile()) bytes += stat.size;
  }
  return bytes;
}

/** The Debian package's tree, from the staged archive `from`. */
function stageDeb(from: string, dir: string): void {
  const put = (src: string, dest: string, mode = 0o644) => {
    mkdirSync(join(dir, dest, '..'), { recursive: true });
    cpSync(src, join(dir, dest));
    chmodSync(join(dir, dest), mode);
  };
  cpSync(join(from, 'static'), join(dir, 'usr/share/runde/static'), { recursive: true, preserveTimestamps: true });
  // The deployer's config.json lives in /etc/runde (kept across updates); the app finds it beside itself.
  for (const name of ['config.json', 'config.json.br', 'config.json.gz']) rmSync(join(dir, 'usr/share/runde/static', name), { force: true });
  symlinkSync('/etc/runde/config.json', join(dir, 'usr/share/runde/static/config.json'));
  put(join(from, 'static/config.json'), 'etc/runde/config.json');
  put(join(from, 'deploy/runde/box.env'), 'etc/runde/box.env', 0o640);
  put(join(from, 'box/runde-box.mjs'), 'usr/lib/runde/runde-box.mjs');
  put(join(from, 'deploy/systemd/runde-box.service'), 'lib/systemd/system/runde-box.service');
  for (const file of readdirSync(join(from, 'deploy/nginx'))) put(join(from, 'deploy/nginx', file), `usr/share/runde/nginx/${file}`);
  for (const file of readdirSync(join(from, 'deploy/coturn'))) put(join(from, 'deploy/coturn', file), `usr/share/runde/coturn/${file}`);
  put(join(from, 'deploy/certbot/runde-deploy-hook'), 'usr/share/runde/certbot/runde-deploy-hook', 0o755);
  for (const doc of DOCS) put(join(from, doc), `usr/share/doc/runde/${doc.replace('docs/', '')}`);
  writeFileSync(
    join(dir, 'usr/share/doc/runde/copyright'),
    'Runde\nLicense: AGPL-3.0-or-later\nThe bundled box (/usr/lib/runde/runde-box.mjs) includes ws, prom-client and @redis/client (MIT licence).\n',
  );

  const debian = join(dir, 'DEBIAN');
  mkdirSync(debian);
  for (const script of ['postinst', 'prerm', 'postrm']) put(join(ROOT, 'deploy/debian', script), `DEBIAN/${script}`, 0o755);
  writeFileSync(join(debian, 'conffiles'), '/etc/runde/box.env\n/etc/runde/config.json\n');
  writeFileSync(
    join(debian, 'control'),
    [
      'Package: runde',
      `Version: ${VERSION}`,
      'Architecture: all',
      'Maintainer: Runde <runde@localhost>',
      'Section: net',
      'Priority: optional',
      `Depends: ${DEPENDS}`,
      'Suggests: nginx, coturn, certbot',
      `Installed-Size: ${Math.ceil(du(dir) / 1024)}`,
      'Homepage: https://example.org/runde',
      'Description: video meetings for small groups, browser to browser',
      ' Runde holds meetings of two to eight people over full-mesh WebRTC. This package holds',
      ' the web app (/usr/share/runde/static, to be served by nginx) and the signaling box',
      ' (runde-box.service, settings in /etc/runde/box.env), with an nginx site, a coturn',
      ' configuration and a certbot hook as examples in /usr/share/runde.',
      '',
    ].join('\n'),
  );
}

/** Builds both artefacts; returns their paths. */
export async function release(): Promise<{ archive: string; deb: string }> {
  await buildApp();
  rmSync(RELEASE_DIR, { recursive: true, force: true });
  const name = `runde-${VERSION}`;
  const staged = join(RELEASE_DIR, 'stage', name);
  mkdirSync(staged, { recursive: true });
  await stageArchive(staged);
  // Reproducible: fixed owner, order and times (the last commit's time).
  const epoch = execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: ROOT, encoding: 'utf8' }).trim() || String(Math.floor(Date.now() / 1000));
  const tarFlags = ['--sort=name', `--mtime=@${epoch}`, '--owner=0', '--group=0', '--numeric-owner'];
  execFileSync('tar', [...tarFlags, '-czf', ARCHIVE, '-C', join(RELEASE_DIR, 'stage'), name]);

  const debRoot = join(RELEASE_DIR, 'stage', 'deb');
  mkdirSync(debRoot);
  stageDeb(staged, debRoot);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', debRoot, DEB], { env: { ...process.env, SOURCE_DATE_EPOCH: epoch }, stdio: 'pipe' });
  rmSync(join(RELEASE_DIR, 'stage'), { recursive: true, force: true });
  return { archive: ARCHIVE, deb: DEB };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { archive, deb } = await release();
  for (const file of [archive, deb]) process.stdout.write(`${file}  ${(statSync(file).size / 1024).toFixed(0)} KiB\n`);
}
