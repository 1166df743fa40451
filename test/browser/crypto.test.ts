import { expect, waitUntil } from '@open-wc/testing';
import { deriveSignalKey, fingerprintOf, meetingKeys, open, safetyCode, seal } from '../../client/core/crypto.js';
import { Meeting } from '../../client/core/meeting.js';
import { newPeerId, newSecret } from '../../client/core/room-link.js';
import type { PeerId, RoomId } from '../../signaling/protocol.js';

const WAIT = { timeout: 25_000, interval: 100 };
const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };
const A = newPeerId() as PeerId;
const B = newPeerId() as PeerId;
const C = newPeerId() as PeerId;

describe('sealed signaling payloads', () => {
  it('open what was sealed for this pair, with its sequence number', async () => {
    const key = await deriveSignalKey(newSecret());
    const sealed = await seal(key, A, B, 7, { type: 'offer', sdp: 'v=0 secret-sdp' });
    expect(JSON.stringify(sealed)).not.to.contain('secret-sdp');
    expect(await open(key, A, B, sealed)).to.deep.equal({ seq: 7, payload: { type: 'offer', sdp: 'v=0 secret-sdp' } });
  });

  it('refuse another key, a redirected payload, a forged sender and tampering', async () => {
    const secret = newSecret();
    const key = await deriveSignalKey(secret);
    const sealed = await seal(key, A, B, 1, 'hello');
    expect(await open(await deriveSignalKey(newSecret()), A, B, sealed), 'wrong key').to.equal(null);
    expect(await open(key, A, C, sealed), 'redirected to C').to.equal(null);
    expect(await open(key, C, B, sealed), 'claimed to come from C').to.equal(null);
    const flipped = { ...sealed, ct: (sealed.ct[0] === 'A' ? 'B' : 'A') + sealed.ct.slice(1) };
    expect(await open(key, A, B, flipped), 'tampered').to.equal(null);
    expect(await open(key, A, B, { v: 1, iv: 'x', ct: 'y' })).to.equal(null);
    expect(await open(key, A, B, 'not sealed')).to.equal(null);
    expect(await open(await deriveSignalKey(secret), A, B, sealed), 'same secret, same key').to.deep.equal({ seq: 1, payload: 'hello' });
  });

  it('use a fresh IV for every message', async () => {
    const key = await deriveSignalKey(newSecret());
    const ivs = new Set<string>();
    for (let i = 0; i < 50; i++) ivs.add((await seal(key, A, B, i, 'same')).iv);
    expect(ivs.size).to.equal(50);
  });
});

describe('safety codes', () => {
  const room = 'r'.repeat(43) as RoomId;
  const fa = 'sha-256 AA:BB:CC';
  const fb = 'sha-256 11:22:33';

  it('are the same at both ends, in four groups of four digits', async () => {
    const code = await safetyCode(room, fa, fb);
    expect(code).to.match(/^\d{4} \d{4} \d{4} \d{4}$/);
    expect(await safetyCode(room, fb, fa)).to.equal(code);
  });

  it('change when a fingerprint or the room changes', async () => {
    const code = await safetyCode(room, fa, fb);
    expect(await safetyCode(room, fa, 'sha-256 11:22:34')).not.to.equal(code);
    expect(await safetyCode('s'.repeat(43) as RoomId, fa, fb)).not.to.equal(code);
  });

  it('read the fingerprint from an SDP', () => {
    expect(fingerprintOf('v=0\r\na=fingerprint:sha-256 ab:cd:ef\r\na=setup:actpass\r\n')).to.equal('sha-256 AB:CD:EF');
    expect(fingerprintOf('v=0\r\n')).to.equal(null);
  });
});

describe('a meeting with an intruder who knows the room id but not the secret', () => {
  const meetings: Meeting[] = [];
  afterEach(() => {
    for (const m of meetings.splice(0)) m.leave();
  });

  async function start(room: RoomId, signalKey: CryptoKey, name: string): Promise<Meeting> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
    const m = new Meeting({ signalingUrl: wsUrl, room, signalKey, name, stream, audio: true, video: false });
    const joined = new Promise<void>((resolve) => m.on('joined', () => resolve()));
    m.join();
    await joined;
    meetings.push(m);
    return m;
  }

  it('keeps the intruder out while the others connect, and both ends show the same safety code', async () => {
    const { room, signalKey } = await meetingKeys(newSecret());
    const ada = await start(room, signalKey, 'Ada');
    const intruder = await start(room, await deriveSignalKey(newSecret()), 'Mallory');
    const bob = await start(room, signalKey, 'Bob');
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
