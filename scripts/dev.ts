/**
 * `npm run dev`: rebuilds the app (with source maps) on every change and serves it with the box
 * on PORT (8080). Reload the page to see a change.
 */
import * as esbuild from 'esbuild';
import { configFromEnv } from '../signaling/config.js';
import { startSignaling } from '../signaling/server.js';
import { staticHandler } from '../signaling/static.js';
import { APP_BUILD } from './build.js';

const ctx = await esbuild.context({ ...APP_BUILD, minify: false, sourcemap: true, logLevel: 'info' });
await ctx.watch();
const config = configFromEnv(process.env);
const server = await startSignaling({ ...config, httpHandler: staticHandler('static') });
console.error(`Runde (dev) on ${server.url}/ — rebuilding on change`);
const stop = async () => {
  await ctx.dispose();
  await server.close();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
