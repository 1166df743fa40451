import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { buildApp, COMPRESS, precompress } from '../../scripts/build.js';
import type { SignalingServer } from '../../signaling/server.js';
import { ENCODINGS, staticHandler } from '../../signaling/static.js';
import { boxFor } from './helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const PAGE = `<!doctype html><title>Runde</title>\n${'<p>A meeting for a few people, browser to browser.</p>\n'.repeat(40)}`;
const TEXT_EXTENSIONS = new Set(['.html', '.js', '.css', '.json', '.svg', '.webmanifest', '.txt']);

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A plain node:http request: unlike fetch it sends no Accept-Encoding of its own and does not
 * decompress, so the test sees the bytes and headers the box sent.
 */
function get(server: SignalingServer, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject).end();
  });
}

function tempDir(t: TestContext, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'runde-static-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

test('the app page may open sockets to the boxes config.json lists, and only to those', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runde-static-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>x</title>');
  const server = await boxFor(t, { httpHandler: staticHandler(dir) });
  const csp = async () => (await fetch(`${server.url}/`)).headers.get('content-security-policy') ?? '';

  assert.match(await csp(), /connect-src 'self';/, 'without config.json: this origin only');

  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({ signalingUrls: ['wss://box-a.example.org/ws', 'wss://box-b.example.org:8443/ws'] }));
  assert.match(await csp(), /connect-src 'self' wss:\/\/box-a\.example\.org wss:\/\/box-b\.example\.org:8443;/);

  writeFileSync(config, '{ not json');
  utimesSync(config, new Date(), new Date(Date.now() + 5_000)); // a new mtime even on coarse clocks
  assert.match(await csp(), /connect-src 'self';/, 'a malformed config.json adds nothing');
});

test('writes no compressed copy that would not be smaller, and removes an old one', async (t) => {
  const dir = tempDir(t, { 'tiny.txt': 'a', 'tiny.txt.br': 'an old copy', 'page.html': PAGE, 'icon.png': PAGE });
  const written = (await precompress(dir)).map((f) => relative(dir, f)).sort();
  assert.deepEqual(written, ['page.html.br', 'page.html.gz']);
  assert.equal(existsSync(join(dir, 'tiny.txt.br')), false);
});

/** One real default build of the app into a copy of static/'s own files, shared by the tests below. */
const BUILD_DIR = mkdtempSync(join(tmpdir(), 'runde-build-'));
after(() => rmSync(BUILD_DIR, { recursive: true, force: true }));
let built: Promise<string> | null = null;
function defaultBuild(): Promise<string> {
  built ??= (async () => {
    const dir = BUILD_DIR;
    // The committed files only: not a local build's output, copies, or a developer's config.json.
    cpSync(join(ROOT, 'static'), dir, {
      recursive: true,
      filter: (src) => !/[/\\](build|sw\.js.*|config\.json|.*\.(br|gz))$/.test(src),
    });
    await buildApp({ staticDir: dir });
    return dir;
  })();
  return built;
}

/** Every file under `dir`, as paths relative to it. */
const filesIn = (dir: string) => (readdirSync(dir, { recursive: true }) as string[]).filter((f) => statSync(join(dir, f)).isFile());

test('a real build writes a brotli and a gzip copy of every text file it serves, and none of images', async () => {
  const dir = await defaultBuild();
  const files = filesIn(dir).filter((f) => !/\.(br|gz)$/.test(f));
  const text = files.filter((f) => TEXT_EXTENSIONS.has(extname(f)));
  for (const must of ['index.html', 'accessibility.html', 'app.css', 'manifest.webmanifest', 'icon.svg', 'sw.js', 'build/app.js']) {
    assert.ok(text.includes(must), `${must} is built or copied`);
  }
  assert.ok(text.some((f) => /^build\/chunk-\w+\.js$/.test(f)), 'the build has chunks');
  const decompress = { br: brotliDecompressSync, gzip: gunzipSync };
  for (const file of text) {
    const original = readFileSync(join(dir, file));
    for (const { coding, suffix } of ENCODINGS) {
      const copy = join(dir, file + suffix);
      if (existsSync(copy)) assert.deepEqual(decompress[coding](readFileSync(copy)), original, file + suffix);
      else assert.ok((await COMPRESS[coding](original)).length >= original.length, `${file + suffix} is missing, though it would be smaller`);
    }
  }
  for (const image of files.filter((f) => f.endsWith('.png'))) {
    assert.equal(existsSync(join(dir, `${image}.br`)) || existsSync(join(dir, `${image}.gz`)), false, basename(image));
  }
});

test('a default build serves no source maps, and a --sourcemap build writes them', async (t) => {
  const dir = await defaultBuild();
  assert.deepEqual(filesIn(dir).filter((f) => f.endsWith('.map')), []);
  assert.doesNotMatch(readFileSync(join(dir, 'build/app.js'), 'utf8'), /sourceMappingURL/);
  const server = await boxFor(t, { httpHandler: staticHandler(dir) });
  assert.equal((await get(server, '/build/app.js')).status, 200);
  assert.equal((await get(server, '/build/app.js.map')).status, 404);

  const withMaps = tempDir(t);
  cpSync(dir, withMaps, { recursive: true });
  await buildApp({ staticDir: withMaps, sourcemap: true });
  assert.ok(existsSync(join(withMaps, 'build/app.js.map')) && existsSync(join(withMaps, 'sw.js.map')));
  assert.match(readFileSync(join(withMaps, 'build/app.js'), 'utf8'), /sourceMappingURL=app\.js\.map/);
});
