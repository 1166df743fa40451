/**
 * The ICE servers the box hands out in each welcome: a static list, plus TURN REST credentials
 * minted per join from a shared secret (coturn's `use-auth-secret`).
 */
import { createHmac } from 'node:crypto';
import type { IceServer, PeerId } from './protocol.js';

export interface TurnConfig {
  urls: string[];
  secret: string;
  ttlSeconds: number;
}

/**
 * TURN REST credentials: username `<expiry unix seconds>:<peer id>`, credential
 * base64(HMAC-SHA1(secret, username)), as coturn checks them.
 */
export function mintTurnCredentials(turn: TurnConfig, peer: PeerId, nowMs: number): Required<IceServer> {
  const expiry = Math.floor(nowMs / 1000) + turn.ttlSeconds;
  const username = `${expiry}:${peer}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return { urls: turn.urls, username, credential };
}

/** The list for one join: the static servers first, then fresh TURN credentials if configured. */
export function iceServersFor(staticServers: readonly IceServer[], turn: TurnConfig | null, peer: PeerId, nowMs: number): IceServer[] {
  const list = [...staticServers];
  if (turn) list.push(mintTurnCredentials(turn, peer, nowMs));
  return list;
}
