/**
 * The Node.js flags the box runs with, everywhere it is started for real: `npm start`
 * (package.json), the systemd unit (deploy/systemd/runde-box.service, the release box) and the benchmarks
 * (scripts/bench/servers.ts). test/node/node-flags.test.ts keeps those places in step.
 *
 * `--max-semi-space-size=8`: V8's young generation grows in steps up to 16 MiB per half while
 * many connections are set up at once, and Node never shrinks it again. The box holds
 * connections rather than churning through objects, so an 8 MiB half is plenty: it keeps about
 * 16 MiB of resident memory off every box (≈ 2.5 KiB per connection at 5,000 connections) for
 * about 8 % of peak relay throughput (`npm run bench:signaling`). V8 reads this flag only when
 * the process starts, so it cannot be set from the box's own code.
 */
export const BOX_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];
