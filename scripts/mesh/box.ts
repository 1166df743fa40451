/**
 * The real app and the real box for `npm run soak`, built as `npm run build` builds them but into
 * .tmp/soak/ (the static files, the app in static/build/, the box in dist/), so that a soak never
 * overwrites the static/build/ or dist/server.mjs that other runs on this machine are using.
 * The box runs as its own process, as in production, so that its memory is its own.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { Child } from '../bench/children.js';
import { APP_BUILD, SERVER_BUILD } from '../build.js';
import { ROOT, TMP } from './common.js';

const OUT = join(TMP, 'soak');
const STATIC = join(OUT, 'static');
const SERVER = join(OUT, 'dist', 'server.mjs');

export interface Box {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function buildApp(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  const built = join(ROOT, 'static', 'build');
  cpSync(join(ROOT, 'static'), STATIC, { recursive: true, filter: (src) => !src.startsWith(built) });
  await Promise.all([esbuild.build({ ...APP_BUILD, outdir: join(STATIC, 'build') }), esbuild.build({ ...SERVER_BUILD, outdir: join(OUT, 'dist') })]);
}

export function removeBuild(): void {
  rmSync(OUT, { recursive: true, force: true });
}

/** Starts `node dist/server.mjs` serving the app on a free port; resolves once it listens. */
export async function startBox(): Promise<Box> {
  const child = Child.spawn(process.execPath, [SERVER], {
    label: 'the box (.tmp/soak/dist/server.mjs)',
    cwd: ROOT,
    env: { ...process.env, PORT: '0', STATIC_DIR: STATIC },
    capture: 'stderr', // stdout carries the per-event log; stderr says where it listens
  });
  const [, url] = await child.waitForLine(/listening on (http:\/\/\S+) /);
  // SIGTERM: it closes its sockets and exits by itself.
  return { url, pid: child.pid, stop: () => child.stop() };
}
