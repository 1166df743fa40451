/**
 * Starts the box from environment variables (see the README's configuration table) and stops it
 * gracefully on SIGTERM or SIGINT.
 */
import { ConfigError, configFromEnv, type SignalingConfig } from './config.js';
import { startSignaling } from './server.js';
import { staticHandler } from './static.js';

/** Exit at the latest this long after a stop signal, even if sockets linger. */
const HARD_EXIT_MS = 5_000;

async function main(): Promise<void> {
  let config: SignalingConfig;
  try {
    config = configFromEnv(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`runde-signaling: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const httpHandler = config.staticDir ? staticHandler(config.staticDir) : undefined;
  const server = await startSignaling({ ...config, httpHandler });
  process.stderr.write(`Runde signaling box listening on ${server.url} (WebSocket ${server.wsUrl})\n`);
  if (config.staticDir) process.stderr.write(`Open ${server.url}/ in a browser to start a meeting.\n`);
  const stop = (signal: string) => {
    process.stderr.write(`${signal}: shutting down\n`);
    setTimeout(() => process.exit(1), HARD_EXIT_MS).unref();
    server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  process.stderr.write(`runde-signaling: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
