/**
 * The rules that keep the shipped app from contacting anyone but its own servers, as functions
 * over a list of folders, so that test/node/third-parties.test.ts checks the code and proves
 * that the same rules, run the same way, find what they are meant to find.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the shipped app is made of: its sources and its static files. */
export const SHIPPED = ['client', 'static'];

/** Every file below `dir`, but the build output (checked through its sources). */
export function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (path === join('static', 'build')) return [];
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

/** A URL with a host to contact: web, WebSocket, STUN or TURN with `//`. */
const OUTSIDE_URL = /\b(?:https?|wss?|stuns?|turns?):\/\/[^\s'"`)<>]+/g;

/** URLs that name no host to contact: the SVG namespace of icon files. */
export const NOT_CONTACTED = new Set(['http://www.w3.org/2000/svg']);

/** STUN and TURN servers are written without slashes: `stun:stun.example.org:3478`. */
const NAMED_ICE_SERVER = /\b(stun|turn)s?:[a-z0-9.-]+\.[a-z]{2,}/i;

/** Every outside URL in the files below `dirs`, as `file: url`. */
export function outsideUrls(dirs: readonly string[]): string[] {
  return dirs
    .flatMap(files)
    .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(OUTSIDE_URL)].filter((m) => !NOT_CONTACTED.has(m[0])).map((m) => `${file}: ${m[0]}`));
}

/** The files below `dirs` that name a STUN or TURN server. */
export function filesNamingIceServers(dirs: readonly string[]): string[] {
  return dirs.flatMap(files).filter((file) => NAMED_ICE_SERVER.test(readFileSync(file, 'utf8')));
}
