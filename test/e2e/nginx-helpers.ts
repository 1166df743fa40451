/**
 * A private nginx (its own prefix, config and pid file; no system service touched) that serves
 * the shipped sites with only what a test on loopback must change: listen addresses and ports,
 * certificate paths (a self-signed certificate) and the error log's file.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { joinAs, person, playingVideos, ROOT, waitFor } from './helpers.js';

export const HTTP_PORT = 18080;
export const HTTPS_PORT = 18443;

export interface Nginx {
  /** Its prefix: certificate (cert.pem, key.pem), error.log, access logs if any were written. */
  dir: string;
}

/** A folder for one nginx with a self-signed certificate for 127.0.0.1 in it. */
export function nginxDir(): string {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, '.tmp', 'nginx-'));
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`],
    { stdio: 'ignore' },
  );
  return dir;
}

/**
 * A shipped site as a test on loopback runs it: `listen 80` on HTTP_PORT, `listen 443` on
 * `httpsPort`, no IPv6 listeners, the test's certificate and error log.
 */
export function onLoopback(site: string, dir: string, httpsPort = HTTPS_PORT): string {
  return site
    .replace(/^\s*listen \[::\].*$/gm, '')
    .replace('listen 80;', `listen 127.0.0.1:${HTTP_PORT};`)
    .replace('listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`)
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${dir}/cert.pem;`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${dir}/key.pem;`)
    .replaceAll('/var/log/nginx/error.log', `${dir}/error.log`);
}

/**
 * Starts nginx with `sites` (texts of site files, as Debian's nginx.conf includes them inside
 * `http {}`) and waits until `probe` answers with `status`. Stopped when the test ends.
 */
export async function startNginx(t: TestContext, dir: string, sites: string[], probe: string, status: number): Promise<Nginx> {
  for (const [i, site] of sites.entries()) writeFileSync(`${dir}/site-${i}.conf`, site);
  // root: the temporary folder is private to this user (mkdtemp), and so is the test.
  writeFileSync(
    `${dir}/nginx.conf`,
    `daemon off; user root; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/main-error.log;
events {}
http {
  include /etc/nginx/mime.types;
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  include ${dir}/site-*.conf;
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
  const answer = () =>
    rawGet(probe, {}).then(
      (r) => r.status,
      () => 0,
    );
  await waitFor(answer, (s) => s === status, `nginx up (${probe})`);
  return { dir };
}

/** What nginx wrote to its access log (Debian's default, here at http level): '' for nothing. */
export function accessLog(nginx: Nginx): string {
  return existsSync(`${nginx.dir}/access.log`) ? readFileSync(`${nginx.dir}/access.log`, 'utf8') : '';
}

/** What the sites wrote to their error log: '' for nothing. */
export function errorLog(nginx: Nginx): string {
  return existsSync(`${nginx.dir}/error.log`) ? readFileSync(`${nginx.dir}/error.log`, 'utf8') : '';
}

/** A GET that, unlike fetch, neither adds Accept-Encoding nor decompresses; any certificate; http or https. */
export function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    send(url, { headers, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** Two people (Chromium that takes the test's self-signed certificate) in a call at `link`. */
export async function twoPeopleCall(t: TestContext, link: string): Promise<void> {
  const people = [await person(t, undefined, ['--ignore-certificate-errors']), await person(t, undefined, ['--ignore-certificate-errors'])];
  await joinAs(people[0]!.page, link, 'Ada');
  await joinAs(people[1]!.page, link, 'Bob');
  for (const p of people)
    await waitFor(
      () => playingVideos(p.page),
      (n) => n === 2,
      `a call at ${link}`,
    );
}
