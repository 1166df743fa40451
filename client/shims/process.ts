/**
 * simple-peer (CommonJS, written for Node) reads `process` (nextTick, env); esbuild injects this
 * browser implementation wherever the bundle mentions `process`.
 */
import process from 'process/browser.js';

export { process };
