/**
 * The end-to-end sealing in a real meeting (seal, open and safety codes themselves are tested in
 * node: test/node/crypto.test.ts).
 */
import { newVisitIdentity } from '../../client/core/visit-identity.js';
import { expect, waitUntil } from '@open-wc/testing';
import { deriveSignalKey, meetingKeys } from '../../client/core/crypto.js';
import { Meeting } from '../../client/core/meeting.js';
import { hostKeyFrom, newHostSecret, type HostKey } from '../../client/core/host-key.js';
import { newSecret } from '../../client/core/room-link.js';
import type { RoomId } from '../../signaling/protocol.js';

const WAIT = { timeout: 25_000, interval: 100 };
const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

describe('a meeting with an intruder who knows the room id but not the secret', () => {
  const meetings: Meeting[] = [];
  afterEach(() => {
    for (const m of meetings.splice(0)) m.leave();
  });

  async function start(room: RoomId, signalKey: CryptoKey, name: string, hosting: { hostKeyId: string; host?: HostKey }): Promise<Meeting> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    const m = new Meeting({ identity: await newVisitIdentity(), signalingUrl: wsUrl, room, signalKey, ...hosting, name, stream, audio: true, video: false });
    const joined = new Promise<void>((resolve) => m.on('joined', () => resolve()));
    m.join();
    await joined;
    meetings.push(m);
    return m;
  }

  it('keeps the intruder out while the others connect, and both ends show the same safety code', async () => {
    // The intruder cannot answer Bob's hello; Ada, the host, can: after a while her answer is
    // enough for Bob to decide (PROTOCOL.md §10a), and he dials only her.
    const host = await hostKeyFrom(newHostSecret());
    const { room, signalKey } = await meetingKeys(host.meetingSecret);
    const hostKeyId = host.meetingSecret;
    const ada = await start(room, signalKey, 'Ada', { hostKeyId, host });
    const intruder = await start(room, await deriveSignalKey(newSecret()), 'Mallory', { hostKeyId });
    const bob = await start(room, signalKey, 'Bob', { hostKeyId });
    await waitUntil(() => ada.peers.get(bob.local.id)?.connected && bob.peers.get(ada.local.id)?.connected, 'Ada and Bob connected', WAIT);
    // Its offer to Ada does not decrypt; Bob's offer to it does not decrypt there either.
    await waitUntil(() => ada.droppedSignals > 0 && intruder.droppedSignals > 0, 'undecryptable signals dropped', WAIT);
    expect([...ada.peers.keys()]).to.deep.equal([bob.local.id]);
    expect([...bob.peers.keys()]).to.deep.equal([ada.local.id]);
    expect(intruder.peers.size, 'nobody completes a connection with the intruder').to.equal(0);
    await waitUntil(() => ada.safetyCodes.has(bob.local.id) && bob.safetyCodes.has(ada.local.id), 'codes', WAIT);
    expect(ada.safetyCodes.get(bob.local.id)).to.equal(bob.safetyCodes.get(ada.local.id));
  });
});
