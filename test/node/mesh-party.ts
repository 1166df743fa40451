/**
 * Participants for node tests of the call core: a real Mesh against a real box, with fake links
 * (fake-link.ts) in place of WebRTC, and a fresh visit identity each.
 */
import type { TestContext } from 'node:test';
import { WebSocket } from 'ws';
import { meetingKeys } from '../../client/core/crypto.js';
import type { RundeError } from '../../client/core/errors.js';
import { hostKeyFrom, newHostSecret, type HostKey } from '../../client/core/host-key.js';
import { Mesh } from '../../client/core/mesh.js';
import { newVisitIdentity, type VisitIdentity } from '../../client/core/visit-identity.js';
import { emptyStream, FakeLink } from './fake-link.js';
import { waitFor } from './helpers.js';

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export type Keys = Awaited<ReturnType<typeof meetingKeys>> & { hostKeyId?: string };

export interface Party {
  mesh: Mesh;
  identity: VisitIdentity;
  links: FakeLink[];
  failed: RundeError[];
}

/** Joins `name` to the box's room; resolves on its welcome. */
export async function party(t: TestContext, wsUrl: string, keys: Keys, name: string, host?: HostKey): Promise<Party> {
  const links: FakeLink[] = [];
  const failed: RundeError[] = [];
  const identity = await newVisitIdentity();
  const mesh = new Mesh({
    identity,
    signalingUrl: wsUrl,
    ...keys,
    ...(host ? { host } : {}),
    name,
    stream: emptyStream(),
    audio: true,
    video: true,
    createLink: (options) => {
      const link = new FakeLink(options);
      links.push(link);
      return link;
    },
  });
  mesh.on('failed', (err) => failed.push(err));
  t.after(() => mesh.leave());
  const joined = new Promise<void>((resolve) => mesh.on('joined', () => resolve()));
  mesh.join();
  await joined;
  return { mesh, identity, links, failed };
}

/** A meeting with a host key: the host's key, and the keys everyone derives from the participant link. */
export async function hostedMeeting(): Promise<{ host: HostKey; keys: Keys }> {
  const host = await hostKeyFrom(newHostSecret());
  return { host, keys: { ...(await meetingKeys(host.meetingSecret)), hostKeyId: host.meetingSecret } };
}

/** Both sides see each other connected, with the name the other gave. */
export const connectedPair = (a: Party, b: Party) =>
  waitFor(
    () => a.mesh.peers.get(b.mesh.local.id)?.connected === true && b.mesh.peers.get(a.mesh.local.id)?.name === a.mesh.local.name,
    'a and b connected and named',
  );
