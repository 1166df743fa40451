/**
 * The real app and the real box for `npm run soak`, built as `npm run build` builds them but into
 * .tmp/soak/ (the static files, the app in static/build/, the box in dist/), so that a soak never
 * overwrites the static/build/ or dist/server.mjs that other runs on this machine are using.
 * The box runs as its own process, as in production, so that its memory is its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
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
  await Promise.all([
    esbuild.build({ ...APP_BUILD, outdir: join(STATIC, 'build') }),
    esbuild.build({ ...SERVER_BUILD, outdir: join(OUT, 'dist') }),
  ]);
}

export function removeBuild(): void {
  rmSync(OUT, { recursive: true, force: true });
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `node dist/server.mjs` serving the app on a free port; resolves once it listens. */
export async function startBox(): Promise<Box> {
  const child = spawn(process.execPath, [SERVER], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', STATIC_DIR: STATIC },
    stdio: ['ignore', 'ignore', 'pipe'], // stdout carries the per-event log; stderr says where it listens
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+) /.exec(stderr);
      if (m) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`the box exited: ${stderr}`)));
  });
  const stop = async () => {
    child.kill('SIGTERM'); // it closes its sockets and exits by itself
    if (!(await exited(child, 6_000))) child.kill('SIGKILL');
  };
  return { url, pid: child.pid!, stop };
}
