import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { basename, extname, join, relative } from 'node:path';
import { after, test, type TestContext } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { buildApp, COMPRESS, precompress } from '../../scripts/build.js';
import { APP_PAGE_HEADERS } from '../../signaling/headers.js';
import type { SignalingServer } from '../../signaling/server.js';
import { acceptedEncodings, ENCODINGS, staticHandler } from '../../signaling/static.js';
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

/** A folder with a page, a script and a chunk, and the build's compressed copies of them. */
async function servedApp(t: TestContext, files: Record<string, string> = {}): Promise<{ dir: string; server: SignalingServer }> {
  const dir = tempDir(t, { 'index.html': PAGE, 'build/app.js': `console.log(${JSON.stringify(PAGE)});`, ...files });
  await precompress(dir);
  return { dir, server: await boxFor(t, { httpHandler: staticHandler(dir) }) };
}

/** Gives `file` an mtime clearly after anything written so far, even on a coarse clock. */
const touchLater = (file: string) => utimesSync(file, new Date(), new Date(Date.now() + 5_000));

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

test('reads Accept-Encoding as RFC 9110 says: q-values, q=0 refuses, * stands for the rest', () => {
  const cases: [string | undefined, string[]][] = [
    [undefined, []],
    ['', []],
    ['identity', []],
    ['gzip, deflate, br, zstd', ['br', 'gzip']], // what Chromium sends
    ['gzip, deflate', ['gzip']],
    ['GZIP', ['gzip']],
    ['x-gzip', ['gzip']],
    ['br;q=0, gzip', ['gzip']],
    ['br; q=0.5, gzip', ['gzip', 'br']],
    ['br;q=1.0, gzip;q=1.0', ['br', 'gzip']],
    ['*', ['br', 'gzip']],
    ['*;q=0', []],
    ['gzip, *;q=0', ['gzip']],
    ['br;q=0, *', ['gzip']],
    ['br;q=0, gzip;q=0', []],
    ['br;q=2, gzip', ['gzip']], // an out-of-range q-value is no promise to decode
    ['br;q=x', []],
  ];
  for (const [header, expected] of cases) assert.deepEqual(acceptedEncodings(header), expected, `Accept-Encoding: ${header}`);
});

test('sends the brotli copy to a client that accepts brotli, with its own length and the original type', async (t) => {
  const { server } = await servedApp(t);
  for (const path of ['/', '/build/app.js']) {
    const reply = await get(server, path, { 'Accept-Encoding': 'gzip, deflate, br' });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-encoding'], 'br', path);
    assert.equal(reply.headers.vary, 'Accept-Encoding');
    assert.equal(Number(reply.headers['content-length']), reply.body.length);
    assert.match(reply.headers['content-type']!, path === '/' ? /^text\/html/ : /^text\/javascript/);
    assert.ok(reply.body.length < Buffer.byteLength(PAGE) / 2, `${path}: ${reply.body.length} bytes sent`);
  }
  const page = await get(server, '/', { 'Accept-Encoding': 'br' });
  assert.equal(brotliDecompressSync(page.body).toString(), PAGE);
});

test('sends the gzip copy to a client that accepts gzip but not brotli', async (t) => {
  const { server } = await servedApp(t);
  const reply = await get(server, '/', { 'Accept-Encoding': 'gzip, deflate' });
  assert.equal(reply.headers['content-encoding'], 'gzip');
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  assert.equal(Number(reply.headers['content-length']), reply.body.length);
  assert.equal(gunzipSync(reply.body).toString(), PAGE);
});

test('sends the file itself, still with Vary, to a client that accepts neither coding or refuses both', async (t) => {
  const { server } = await servedApp(t);
  for (const header of [undefined, 'identity', 'deflate', 'br;q=0, gzip;q=0', '*;q=0']) {
    const reply = await get(server, '/', header === undefined ? {} : { 'Accept-Encoding': header });
    assert.equal(reply.headers['content-encoding'], undefined, `Accept-Encoding: ${header}`);
    assert.equal(reply.headers.vary, 'Accept-Encoding', `Accept-Encoding: ${header}`);
    assert.equal(Number(reply.headers['content-length']), Buffer.byteLength(PAGE));
    assert.equal(reply.body.toString(), PAGE);
  }
});

test('sends no Vary for files that are never compressed', async (t) => {
  const { server } = await servedApp(t, { 'icon.png': 'not really a png, but named like one' });
  const reply = await get(server, '/icon.png', { 'Accept-Encoding': 'br, gzip' });
  assert.equal(reply.headers['content-type'], 'image/png');
  assert.equal(reply.headers['content-encoding'], undefined);
  assert.equal(reply.headers.vary, undefined);
});

test('serves an original edited after the build, never its stale copies', async (t) => {
  const config = JSON.stringify({ signalingUrls: ['wss://old.example.org/ws'], padding: 'x'.repeat(400) });
  const { dir, server } = await servedApp(t, { 'config.json': config });
  assert.equal((await get(server, '/config.json', { 'Accept-Encoding': 'br' })).headers['content-encoding'], 'br', 'fresh copies are used');

  const edited = { 'index.html': `${PAGE}<p>Edited by the deployer.</p>\n`, 'config.json': config.replace('old', 'new') };
  for (const [name, text] of Object.entries(edited)) {
    writeFileSync(join(dir, name), text);
    touchLater(join(dir, name));
  }
  for (const [path, text] of [
    ['/', edited['index.html']],
    ['/config.json', edited['config.json']],
  ]) {
    for (const coding of ['br', 'gzip']) {
      const reply = await get(server, path, { 'Accept-Encoding': coding });
      assert.equal(reply.headers['content-encoding'], undefined, `${path} with ${coding}`);
      assert.equal(reply.body.toString(), text);
      assert.equal(reply.headers.vary, 'Accept-Encoding');
    }
  }
});

test('answers a request for a compressed copy itself with 404', async (t) => {
  const { dir, server } = await servedApp(t);
  assert.ok(existsSync(join(dir, 'index.html.br')) && existsSync(join(dir, 'build/app.js.gz')));
  for (const path of ['/index.html.br', '/index.html.gz', '/build/app.js.br', '/build/app.js.gz']) {
    assert.equal((await get(server, path, { 'Accept-Encoding': 'br, gzip' })).status, 404, path);
  }
});

test('answers If-None-Match with 304 and no body until the file changes', async (t) => {
  const { dir, server } = await servedApp(t);
  const first = await get(server, '/', { 'Accept-Encoding': 'br' });
  const etag = first.headers.etag!;
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+-br"$/);
  assert.ok(first.headers['last-modified']);
  assert.notEqual((await get(server, '/', { 'Accept-Encoding': 'gzip' })).headers.etag, etag, 'each copy has its own tag');

  for (const tag of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    const again = await get(server, '/', { 'Accept-Encoding': 'br', 'If-None-Match': tag });
    assert.equal(again.status, 304, `If-None-Match: ${tag}`);
    assert.equal(again.body.length, 0);
    assert.equal(again.headers.etag, etag);
    assert.equal(again.headers.vary, 'Accept-Encoding');
    assert.equal(again.headers['cache-control'], 'no-cache');
    assert.equal(again.headers['content-encoding'], undefined, 'a 304 describes no body');
    assert.equal(again.headers['x-content-type-options'], 'nosniff');
  }
  assert.equal((await get(server, '/', { 'Accept-Encoding': 'br', 'If-None-Match': '"other"' })).status, 200);
  assert.equal((await get(server, '/', { 'If-None-Match': etag })).status, 200, 'the uncompressed file is another representation');

  writeFileSync(join(dir, 'index.html'), `${PAGE}<p>A new deploy.</p>`);
  touchLater(join(dir, 'index.html'));
  const changed = await get(server, '/', { 'Accept-Encoding': 'br', 'If-None-Match': etag });
  assert.equal(changed.status, 200);
  assert.notEqual(changed.headers.etag, etag);
});

test('answers If-Modified-Since with 304 when there is no If-None-Match', async (t) => {
  const { server } = await servedApp(t);
  const { headers } = await get(server, '/build/app.js');
  assert.equal((await get(server, '/build/app.js', { 'If-Modified-Since': headers['last-modified']! })).status, 304);
  assert.equal((await get(server, '/build/app.js', { 'If-Modified-Since': new Date(0).toUTCString() })).status, 200);
});

test('lets caches keep hashed chunks for a year, and makes them revalidate everything else', async (t) => {
  const { server } = await servedApp(t, {
    'build/chunk-V4WAUU7D.js': 'export const chunk = 1;',
    'build/chunk-V4WAUU7D.js.LEGAL.txt': '/*! a licence */',
    'sw.js': 'self;',
    'app.css': 'body {}',
  });
  const cacheControl = async (path: string) => (await get(server, path)).headers['cache-control'];
  assert.equal(await cacheControl('/build/chunk-V4WAUU7D.js'), 'public, max-age=31536000, immutable');
  for (const path of ['/', '/index.html', '/build/app.js', '/build/chunk-V4WAUU7D.js.LEGAL.txt', '/sw.js', '/app.css']) {
    assert.equal(await cacheControl(path), 'no-cache', path);
  }
});

test('answers HEAD with the headers of a GET and no body', async (t) => {
  const { dir, server } = await servedApp(t);
  const head = await get(server, '/', { 'Accept-Encoding': 'br' }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-encoding'], 'br');
  assert.equal(Number(head.headers['content-length']), readFileSync(join(dir, 'index.html.br')).length);
  const { headers } = await get(server, '/', { 'Accept-Encoding': 'br' });
  for (const name of ['etag', 'last-modified', 'vary', 'cache-control', 'content-type', 'content-security-policy']) {
    assert.equal(head.headers[name], headers[name], name);
  }
});

test('sends the app-page security headers with every file of the app, compressed or not', async (t) => {
  const { server } = await servedApp(t, { 'icon.png': 'png' });
  for (const [path, encoding] of [
    ['/', 'br'],
    ['/build/app.js', 'gzip'],
    ['/icon.png', ''],
  ]) {
    const { headers } = await get(server, path, { 'Accept-Encoding': encoding });
    for (const [name, value] of Object.entries(APP_PAGE_HEADERS)) assert.equal(headers[name.toLowerCase()], value, `${path}: ${name}`);
  }
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
  assert.ok(
    text.some((f) => /^build\/chunk-\w+\.js$/.test(f)),
    'the build has chunks',
  );
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
  assert.deepEqual(
    filesIn(dir).filter((f) => f.endsWith('.map')),
    [],
  );
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
