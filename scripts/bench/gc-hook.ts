/**
 * Preloaded (`node --expose-gc --import <bundle of this file>`) into every server the benchmark
 * starts, so that all four are measured the same way without touching their code:
 *
 * - on an IPC `{ type: 'gc' }` it runs full garbage collections and answers, so that the idle-memory
 *   phase reads resident memory without handshake garbage that is merely not collected yet;
 * - when the benchmark process goes away (IPC disconnect) it exits, so no server outlives a
 *   crashed or killed benchmark;
 * - on SIGTERM it exits at once with `process.exit`, which also lets `--cpu-prof` write its profile.
 */

interface GcRequest {
  type: 'gc';
}

function isGcRequest(message: unknown): message is GcRequest {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'gc';
}

if (process.send) {
  process.on('message', (message: unknown) => {
    if (!isGcRequest(message)) return;
    // Two passes: the first may only finalize objects whose memory the second frees.
    globalThis.gc?.();
    globalThis.gc?.();
    process.send?.({ type: 'gc-done', collected: typeof globalThis.gc === 'function' });
  });
  process.on('disconnect', () => process.exit(0));
}

process.once('SIGTERM', () => process.exit(0));
