// @web/test-runner: component tests and in-page meshes in Debian's Chromium with fake devices,
// against the real signaling box (started by the plugin below). Run through `node --import tsx`
// so that this file can import the box's TypeScript.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { startSignaling } from './signaling/server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/chromium.ts';

/** Starts the real box for the test session and tells test pages where it is. */
function signalingBox() {
  let box;
  return {
    name: 'runde-signaling-box',
    async serverStart() {
      box = await startSignaling({ port: 0, log: () => {} });
    },
    async serverStop() {
      await box?.close();
    },
    serve(context) {
      if (context.path === '/__runde-box.json') return { body: JSON.stringify({ wsUrl: box.wsUrl }), type: 'json' };
    },
    resolveImport({ source }) {
      // simple-peer is CommonJS: tests load the ESM pre-bundle made by `build.ts --vendor`.
      if (source === 'simple-peer') return '/.tmp/vendor/simple-peer.js';
    },
  };
}

export default {
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['production'] },
  concurrency: 1,
  testsFinishTimeout: 300_000,
  testFramework: { config: { timeout: 30_000 } },
  plugins: [signalingBox(), esbuildPlugin({ ts: true, tsconfig: './tsconfig.json', target: 'es2022' })],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS },
    }),
  ],
};
