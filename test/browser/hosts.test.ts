/**
 * The lock against a modified client, over real WebRTC against the real box: a lurker with the
 * participant link joins the room silently, dials everyone and answers every offer, with real
 * camera and microphone streams on its side. While the meeting is locked it must receive no RTP
 * and no data-channel message from anyone admitted; the newcomer it hoped to catch reaches the
 * host and is let in.
 */
import { newVisitIdentity } from '../../client/core/visit-identity.js';
import { expect, waitUntil } from '@open-wc/testing';
import { meetingKeys } from '../../client/core/crypto.js';
import { hostKeyFrom, newHostSecret, type HostKey } from '../../client/core/host-key.js';
import { Mesh } from '../../client/core/mesh.js';
import { PeerLink } from '../../client/core/peer.js';
import { SignalChannel } from '../../client/core/signal-channel.js';
import { sign } from '../../client/core/statements.js';
import { newPeerId } from '../../client/core/room-link.js';
import type { PeerId } from '../../signaling/protocol.js';
import { inbound } from './inbound.js';

const WAIT = { timeout: 25_000, interval: 100 };
const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

type Keys = Awaited<ReturnType<typeof meetingKeys>> & { hostKeyId: string };

const camera = () => navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });

async function startMesh(keys: Keys, name: string, host?: HostKey): Promise<Mesh> {
  const mesh = new Mesh({
    identity: await newVisitIdentity(),
    signalingUrl: wsUrl,
    ...keys,
    ...(host ? { host } : {}),
    name,
    stream: await camera(),
    audio: true,
    video: true,
  });
  const joined = new Promise<void>((resolve) => mesh.on('joined', () => resolve()));
  mesh.join();
  await joined;
  return mesh;
}

/**
 * A modified client: the key, a real camera, never a word of the admission protocol; it dials
 * everyone it learns of (the box's list, any newcomer's hello) and answers any offer.
 */
class Lurker {
  readonly id = newPeerId();
  readonly links = new Map<PeerId, PeerLink>();
  messages = 0;
  connects = 0;
  readonly #channel: SignalChannel;
  readonly #stream: MediaStream;

  private constructor(keys: Keys, stream: MediaStream) {
    this.#stream = stream;
    this.#channel = new SignalChannel({ signalingUrl: wsUrl, room: keys.room, localId: this.id, signalKey: keys.signalKey });
    this.#channel.on('welcome', (w) => {
      for (const peer of w.peers) this.#link(peer, true);
    });
    this.#channel.on('payload', (from, payload) => {
      const p = payload as { g?: number; s?: unknown };
      if (p && typeof p === 'object' && p.g !== undefined) this.#link(from, false).signal(p.s);
      else this.#link(from, true); // a newcomer's hello: dial it, never answer
    });
  }

  static async join(keys: Keys): Promise<Lurker> {
    const lurker = new Lurker(keys, await camera());
    const joined = new Promise<void>((resolve) => lurker.#channel.on('welcome', () => resolve()));
    lurker.#channel.connect();
    await joined;
    return lurker;
  }

  #link(peer: PeerId, initiator: boolean): PeerLink {
    let link = this.links.get(peer);
    if (link) return link;
    link = new PeerLink({ initiator, iceServers: [], streams: [this.#stream], relayOnly: false, audioPacketMs: () => 20 });
    link.on('signal', (s) => this.#channel.send(peer, { g: 1, s }));
    link.on('connect', () => this.connects++);
    link.on('message', () => this.messages++);
    this.links.set(peer, link);
    return link;
  }

  /** RTP packets of any kind received over all its connections. */
  async packetsReceived(): Promise<number> {
    let packets = 0;
    for (const link of this.links.values()) {
      // A connection that got as far as closing again has none any more (its connect was counted).
      const connection = link.connection as RTCPeerConnection | null;
      if (!connection) continue;
      (await connection.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp') packets += s.packetsReceived ?? 0;
      });
    }
    return packets;
  }

  leave(): void {
    this.#channel.leave();
    for (const link of this.links.values()) link.destroy();
    for (const t of this.#stream.getTracks()) t.stop();
  }
}

describe('a locked meeting against a lurker with the link', () => {
  const meshes: Mesh[] = [];
  let lurker: Lurker | null = null;
  afterEach(() => {
    lurker?.leave();
    lurker = null;
    for (const m of meshes.splice(0)) {
      m.leave();
      for (const t of m.stream.getTracks()) t.stop();
    }
  });

  it('the lurker gets no RTP and no message; the newcomer waits for the host, is let in and gets media', async () => {
    const host = await hostKeyFrom(newHostSecret());
    const keys: Keys = { ...(await meetingKeys(host.meetingSecret)), hostKeyId: host.meetingSecret };
    const ada = await startMesh(keys, 'Ada', host);
    meshes.push(ada);
    ada.admission.setLocked(true);
    await waitUntil(() => ada.admission.state.locked, 'locked', WAIT);

    lurker = await Lurker.join(keys);
    const ben = await startMesh(keys, 'Ben');
    meshes.push(ben);
    await waitUntil(() => ben.admission.own === 'waiting' && ada.admission.state.knocking.get(ben.local.id) === 'Ben', 'Ben knocks and waits', WAIT);

    ada.admission.admit(ben.local.id);
    await waitUntil(() => ben.peers.get(ada.local.id)?.connected === true, 'Ben let in and connected to Ada', WAIT);
    const adaAtBen = ben.peers.get(ada.local.id)!;
    await waitUntil(async () => (await inbound(adaAtBen.link.connection)).framesDecoded > 0, "Ben sees Ada's video", WAIT);
    const benAtAda = ada.peers.get(ben.local.id)!;
    await waitUntil(async () => (await inbound(benAtAda.link.connection)).audioPackets > 0, 'Ada hears Ben', WAIT);

    // The lurker dialled both and answered whatever came: nothing came.
    expect(lurker.links.size).to.equal(2, 'the lurker tried both');
    expect(lurker.connects).to.equal(0, 'no connection completed');
    expect(lurker.messages).to.equal(0, 'no data-channel message');
    expect(await lurker.packetsReceived()).to.equal(0, 'no RTP');
    expect([...ada.peers.keys()]).to.deep.equal([ben.local.id]);
    expect([...ben.peers.keys()]).to.deep.equal([ada.local.id]);
  });

  it('over the real data channel, a participant cannot unlock, ban the host or mute her: forged statements are counted and ignored', async () => {
    const host = await hostKeyFrom(newHostSecret());
    const keys: Keys = { ...(await meetingKeys(host.meetingSecret)), hostKeyId: host.meetingSecret };
    const ada = await startMesh(keys, 'Ada', host);
    meshes.push(ada);
    const ben = await startMesh(keys, 'Ben');
    meshes.push(ben);
    await waitUntil(() => ada.peers.get(ben.local.id)?.connected === true, 'Ada and Ben connected', WAIT);
    ada.admission.setLocked(true);
    await waitUntil(() => ben.admission.state.locked, 'locked', WAIT);
    let asked = 0;
    ada.on('hostRequest', () => asked++);
    // Ben's modified client signs with a key of its own, and alters a real statement.
    const fake = await hostKeyFrom(newHostSecret());
    const at = Date.now() + 60_000;
    const forged = [
      await sign(fake, { kind: 'state', room: keys.room, at, locked: false, admitted: [], declined: [], removed: [ada.local.id] }),
      await sign(fake, { kind: 'mute', room: keys.room, at: Date.now(), by: ben.local.id, peer: '*' }),
      { ...ada.admission.state.signed!, st: ada.admission.state.signed!.st.replace('"locked":true', '"locked":false') },
    ];
    for (const st of forged) expect(ben.sendTo(ada.local.id, { type: 'host', st })).to.equal(true);
    await waitUntil(() => ada.admission.forged === forged.length, 'all three counted as forged', WAIT);
    expect(ada.admission.state.locked).to.equal(true);
    expect(ada.admission.state.isBanned(ada.local.id)).to.equal(false);
    expect(asked).to.equal(0);
    expect(ada.peers.get(ben.local.id)?.connected).to.equal(true, 'Ben stays: a forged statement costs nothing but itself');
  });
});
