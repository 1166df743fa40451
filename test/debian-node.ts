/**
 * Debian 12's own Node 18 (`nodejs` from bookworm), to run the release's box on the Node that the
 * package allows. It cannot be installed beside NodeSource's Node 20 on the machines the tests
 * run on, so its packages are fetched from Debian's archive with `apt-get download` and unpacked
 * into .tmp/debian-node18 (never installed). Debian's node reads parts of itself from
 * /usr/share/nodejs, so it runs in a mount namespace whose /usr/share has the unpacked files laid
 * over the real ones (root, as the test machines are).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const DIR = join(ROOT, '.tmp', 'debian-node18');
const TREE = join(DIR, 'root');
/** libnode108 holds Node itself; the rest are what it loads that these machines lack. */
const PACKAGES = ['nodejs', 'libnode108', 'libc-ares2', 'node-undici', 'node-cjs-module-lexer', 'node-acorn'];

/** The newest nodejs 18 in Debian's archive as apt knows it, or null. */
function debianVersion(): string | null {
  const madison = execFileSync('apt-cache', ['madison', 'nodejs'], { encoding: 'utf8' });
  return /\|\s*(18\.[^\s|]+)\s*\|/.exec(madison)?.[1] ?? null;
}

/**
 * The command prefix that runs Debian's Node 18 (`[...prefix, 'script.mjs']`), fetching it on
 * first use. Throws with the reason when Debian's archive or apt cannot provide it.
 */
export function debianNode18(): string[] {
  if (!existsSync(join(TREE, 'usr/bin/node'))) {
    let version = debianVersion();
    if (!version) {
      execFileSync('apt-get', ['update', '-q'], { stdio: 'ignore' });
      version = debianVersion();
    }
    if (!version) throw new Error("Debian's archive lists no nodejs 18 (apt-cache madison nodejs): is this Debian 12?");
    rmSync(DIR, { recursive: true, force: true });
    mkdirSync(DIR, { recursive: true });
    const wanted = PACKAGES.map((p) => (p === 'nodejs' || p === 'libnode108' ? `${p}=${version}` : p));
    execFileSync('apt-get', ['download', '-q', ...wanted], { cwd: DIR, stdio: 'pipe' });
    for (const deb of readdirSync(DIR).filter((f) => f.endsWith('.deb'))) execFileSync('dpkg-deb', ['-x', join(DIR, deb), TREE]);
  }
  const script = `mount -t overlay overlay -o lowerdir=${TREE}/usr/share:/usr/share /usr/share && LD_LIBRARY_PATH=${TREE}/usr/lib/x86_64-linux-gnu exec ${TREE}/usr/bin/node "$@"`;
  return ['unshare', '-m', 'sh', '-c', script, 'node'];
}
