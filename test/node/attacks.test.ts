/**
 * Attacks on hosts and the lock (issue 16), found by a review with modified clients: each test
 * states what must hold. Real box, real sealing and signatures, fake links (mesh-party.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTRY_WAIT_MS, type AdmissionSignal } from '../../client/core/admission-control.js';
import { open, seal } from '../../client/core/crypto.js';
import { newNonce, newVisitIdentity, prove, type VisitIdentity } from '../../client/core/visit-identity.js';
import type { PeerId } from '../../signaling/protocol.js';
import { FakeLink } from './fake-link.js';
import { boxFor, TestClient, waitFor } from './helpers.js';
import { type Keys, hostedMeeting, party } from './mesh-party.js';

/**
 * A modified client with the participant link only, speaking the protocol by hand under a peer id
 * of its choosing (with or without the key that id stands for).
 */
class Impostor {
  seq = 1_000_000; // above any sequence number the others saw from the real owner of the id
  readonly opened: { from: PeerId; payload: Record<string, unknown> }[] = [];
  readonly links = new Map<PeerId, FakeLink>();
  readonly messages: string[] = [];

  private constructor(
    readonly client: TestClient,
    readonly keys: Keys,
    readonly id: PeerId,
  ) {
    client.ws.on('message', (data) => void this.#onFrame(JSON.parse(data.toString())));
  }

  static async join(wsUrl: string, keys: Keys, id: PeerId): Promise<Impostor> {
    const client = await TestClient.open(wsUrl, {}, { autoPong: true });
    client.id = id;
    await client.join(keys.room);
    return new Impostor(client, keys, id);
  }

  async send(to: PeerId, payload: unknown): Promise<void> {
    this.client.send({ type: 'signal', to, data: await seal(this.keys.signalKey, this.id, to, ++this.seq, payload) });
  }

  /** The number of payloads of kind `runde` opened so far. */
  count(runde: string): number {
    return this.opened.filter((m) => m.payload.runde === runde).length;
  }

  /** Dials `to` with a fake link, as a Runde client would once let in. */
  dial(to: PeerId): void {
    const link = new FakeLink({ initiator: true } as never);
    this.links.set(to, link);
    link.on('signal', (s) => void this.send(to, { g: 50, s }));
    link.on('message', (text) => this.messages.push(text));
  }

  async #onFrame(msg: { type: string; from?: PeerId; data?: unknown }): Promise<void> {
    if (msg.type !== 'signal' || !msg.from) return;
    const o = await open(this.keys.signalKey, msg.from, this.id, msg.data);
    if (!o) return;
    const payload = o.payload as Record<string, unknown>;
    this.opened.push({ from: msg.from, payload });
    const link = this.links.get(msg.from);
    if (link && typeof payload.g === 'number') link.signal(payload.s);
  }
}

test('peer-id takeover: a link holder under the id (and public key) of an admitted participant who left gets nothing', async (t) => {
  const box = await boxFor(t, { graceMs: 200 });
  const { host, keys } = await hostedMeeting();
  const ada = await party(t, box.wsUrl, keys, 'Ada', host);
  const bob = await party(t, box.wsUrl, keys, 'Bob');
  await waitFor(() => ada.mesh.peers.get(bob.mesh.local.id)?.connected === true, 'Ada and Bob connected');
  ada.mesh.admission.setLocked(true);
  await waitFor(() => bob.mesh.admission.state.locked, 'locked, Bob admitted');
  const { id: bobId, publicKey: bobKey } = bob.identity;
  bob.mesh.leave();
  await waitFor(() => !ada.mesh.peers.has(bobId), 'Bob gone at Ada');
  // Eve joins the box under Bob's free id, with Bob's public key (it is no secret), and a
  // signature of her own where Bob's is needed.
  const eve = await Impostor.join(box.wsUrl, keys, bobId);
  t.after(() => eve.client.close());
  const eveKey = await newVisitIdentity();
  await eve.send(ada.mesh.local.id, { runde: 'hello', name: 'Bob', key: bobKey, nonce: newNonce() });
  await waitFor(() => eve.count('entry') === 1, "Ada's entry");
  const entry = eve.opened.find((m) => m.payload.runde === 'entry')!.payload as Extract<AdmissionSignal, { runde: 'entry' }>;
  const forged = ada.mesh.admission.forged;
  await eve.send(ada.mesh.local.id, { runde: 'proof', proof: await prove(eveKey, keys.room, ada.mesh.local.id, entry.nonce) });
  await waitFor(() => ada.mesh.admission.forged === forged + 1, 'the proof refused');
  eve.dial(ada.mesh.local.id);
  // A second hello after the offer: when its entry comes back, Ada has handled the offer too.
  await waitFor(() => eve.seq === 1_000_003, 'the offer sent (after the hello and the proof)');
  await eve.send(ada.mesh.local.id, { runde: 'hello', name: 'Bob', key: bobKey, nonce: newNonce() });
  await waitFor(() => eve.count('entry') === 2, 'Ada handled everything before');
  assert.equal(ada.links.length, 1, 'Ada made no connection for the impostor');
  assert.equal(eve.messages.length, 0);
  assert.equal(ada.mesh.admission.state.knocking.has(bobId), false, 'no knock shown under an unproven id');
});

test('a host proof passed on under the id of a host who reloaded makes no one a host', async (t) => {
  const box = await boxFor(t);
  const { host, keys } = await hostedMeeting();
  const ada = await party(t, box.wsUrl, keys, 'Ada', host);
  const bob = await party(t, box.wsUrl, keys, 'Bob');
  await waitFor(() => bob.mesh.peers.get(ada.mesh.local.id)?.connected === true, 'Ada and Bob connected');
  const oldAda = ada.identity;
  const proof = (await ada.mesh.admission.greeting()).find((m) => m.st.st.includes('"kind":"host"'))!.st;
  ada.mesh.leave();
  await waitFor(() => !bob.mesh.peers.has(oldAda.id), 'Ada gone at Bob');
  const eve = await Impostor.join(box.wsUrl, keys, oldAda.id);
  t.after(() => eve.client.close());
  await eve.send(bob.mesh.local.id, { runde: 'hello', name: 'Ada', key: oldAda.publicKey, nonce: newNonce(), host: proof });
  await waitFor(() => eve.count('entry') === 1, "Bob's entry");
  await eve.send(bob.mesh.local.id, { runde: 'host', st: proof });
  await eve.send(bob.mesh.local.id, { runde: 'hello', name: 'Ada', key: oldAda.publicKey, nonce: newNonce() });
  await waitFor(() => eve.count('entry') === 2, 'Bob handled the proof before');
  assert.equal(bob.mesh.admission.state.hosts.has(oldAda.id), false);
  assert.equal(bob.mesh.admission.hostPresent, false);
});

/** A link holder with its own proper visit key, who answers every hello at once with an entry that has no state. */
async function eagerLurker(wsUrl: string, keys: Keys): Promise<{ lurker: Impostor; identity: VisitIdentity; offers: PeerId[] }> {
  const identity = await newVisitIdentity();
  const lurker = await Impostor.join(wsUrl, keys, identity.id);
  const offers: PeerId[] = [];
  lurker.client.ws.on('message', () => {
    void (async () => {
      for (const m of lurker.opened.splice(0)) {
        const p = m.payload as { runde?: string; nonce?: string; s?: { type?: string } };
        if (p.runde === 'hello' && p.nonce) {
          await lurker.send(m.from, { runde: 'entry', key: identity.publicKey, nonce: newNonce(), proof: await prove(identity, keys.room, m.from, p.nonce) });
        }
        if (p.s?.type === 'offer') offers.push(m.from);
      }
    })();
  });
  return { lurker, identity, offers };
}

test("the box's operator holds back the host's answer and a lurker answers at once: the newcomer waits, and learns of the lock", async (t) => {
  const box = await boxFor(t);
  const { host, keys } = await hostedMeeting();
  const ada = await party(t, box.wsUrl, keys, 'Ada', host);
  ada.mesh.admission.setLocked(true);
  await waitFor(() => ada.mesh.admission.state.locked, 'locked');
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  const send = ada.mesh.channel.send.bind(ada.mesh.channel);
  ada.mesh.channel.send = (to: PeerId, payload: unknown) => void released.then(() => send(to, payload));
  const { lurker, offers } = await eagerLurker(box.wsUrl, keys);
  t.after(() => lurker.client.close());
  const ben = await party(t, box.wsUrl, keys, 'Ben');
  await waitFor(() => ben.mesh.admission.waitingForAnswers, `Ben still asks after ${ENTRY_WAIT_MS} ms`, ENTRY_WAIT_MS + 10_000);
  assert.equal(ben.mesh.admission.own, 'checking');
  assert.deepEqual(offers, [], 'Ben dialled nobody');
  release();
  await waitFor(() => ben.mesh.admission.own === 'waiting', "Ada's answer came: Ben waits at the lock");
  assert.deepEqual(offers, []);
  assert.equal(ben.links.length, 0);
});
