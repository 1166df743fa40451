/**
 * An independent Runde participant, written only from signaling/PROTOCOL.md, signaling/PEERS.md,
 * docs/architecture.md and docs/privacy.md: a raw RTCPeerConnection and WebCrypto in a Chromium
 * page, nothing from client/ and no simple-peer. test/e2e/independent-client.test.ts bundles it
 * (esbuild, IIFE) and evaluates it in a page on the app's origin; it then lives as `window.indie`.
 *
 * It is deliberately small: it joins as a newcomer (hello/entry/proof, PROTOCOL.md §10a), knocks
 * when the held state says so, dials every peer that proved itself and is let in (PEERS.md §2),
 * answers hellos and offers of later newcomers, speaks the data-channel messages of PEERS.md §4,
 * sends and receives files (PEERS.md §5) and redials a failed connection when its peer id is the
 * smaller (PEERS.md §3). It does not resume a lost box connection.
 */

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export function b64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromB64url(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const randomBytes = (n: number): Uint8Array<ArrayBuffer> => crypto.getRandomValues(new Uint8Array(n));
const sha256 = async (data: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> => new Uint8Array(await crypto.subtle.digest('SHA-256', data));
const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const B64URL = /^[A-Za-z0-9_-]+$/;
const isCanonicalB64url = (s: string): boolean => B64URL.test(s) && b64url(fromB64url(s)) === s;

async function hkdf(ikm: string, salt: string, info: string): Promise<Uint8Array<ArrayBuffer>> {
  const base = await crypto.subtle.importKey('raw', utf8.encode(ikm), 'HKDF', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: utf8.encode(salt), info: utf8.encode(info) }, base, 256);
  return new Uint8Array(bits);
}

/** PROTOCOL.md §10a: the participant secret `s` of a host link's secret `h`. */
export async function participantSecret(hostSecret: string): Promise<string> {
  const seed = await hkdf(hostSecret, 'runde-host-salt-v1', 'runde-host-key-v1');
  const pkcs8 = new Uint8Array([...fromHex('302e020100300506032b657004220420'), ...seed]);
  const priv = await crypto.subtle.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
  // WebCrypto gives no public key from a private one directly: the JWK export carries it as `x`.
  const jwk = await crypto.subtle.exportKey('jwk', priv);
  const pub = fromB64url(jwk.x!);
  return b64url((await sha256(pub)).slice(0, 16));
}

function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** PEERS.md §5: SHA-256 over the SHA-256 of each 1 MiB block. */
export async function blockDigest(data: Uint8Array): Promise<string> {
  const BLOCK = 1024 * 1024;
  const parts: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += BLOCK) parts.push(await sha256(data.slice(at, at + BLOCK)));
  const all = new Uint8Array(parts.length * 32);
  for (const [i, p] of parts.entries()) all.set(p, i * 32);
  return hex(await sha256(all));
}

interface Signed {
  st: string;
  key: string;
  sig: string;
}

interface RoomState {
  kind: 'state';
  room: string;
  at: number;
  locked: boolean;
  admitted: string[];
  declined: string[];
  removed: string[];
}

export interface PeerState {
  name: string;
  audio: boolean;
  video: boolean;
  hand: number | null;
  screen: string | null;
}

/** What happened, for the test to read. */
export type IndieEvent =
  | { type: 'welcome'; peers: string[] }
  | { type: 'proved'; peer: string }
  | { type: 'standing'; standing: Standing }
  | { type: 'connected'; peer: string; g: number }
  | { type: 'state'; peer: string; state: PeerState }
  | { type: 'chat'; peer: string; id: string; text: string }
  | { type: 'history'; peer: string; count: number }
  | { type: 'reaction'; peer: string; emoji: string }
  | { type: 'host'; peer: string; kind: string }
  | { type: 'file-received'; peer: string; id: string; name: string; size: number; ok: boolean; sha256: string }
  | { type: 'file-sent'; peer: string; id: string; ok: boolean }
  | { type: 'down'; peer: string; g: number }
  | { type: 'dropped'; why: string }
  | { type: 'peer-left'; peer: string };

type Standing = 'in' | 'waiting' | 'removed' | 'declined';

interface IncomingFile {
  name: string;
  size: number;
  channel: RTCDataChannel;
  chunks: Uint8Array[];
  bytes: number;
  sha256?: string;
  finished: boolean;
}

interface OutgoingFile {
  data: Uint8Array;
  channelId: number;
  accepted: (accepted: boolean) => void;
  result: (ok: boolean) => void;
}

class Remote {
  /** Their visit public key, once their entry or proof checked out. */
  key?: CryptoKey;
  keyText?: string;
  /** The nonce we gave them (in our hello or our entry). */
  ourNonce = '';
  /** Their nonce, to sign in our proof. */
  theirNonce = '';
  proved = false;
  answered = false;
  isHost = false;
  name = '';
  sendSeq = 0;
  recvSeq = 0;
  pc?: RTCPeerConnection;
  dc?: RTCDataChannel;
  initiator = false;
  g = 0;
  remoteSet = false;
  pendingCandidates: RTCIceCandidateInit[] = [];
  heldSignals: Array<{ g: number; s: Record<string, unknown> }> = [];
  renegotiateWanted = false;
  failures = 0;
  state?: PeerState;
  incoming = new Map<string, IncomingFile>();
  outgoing = new Map<string, OutgoingFile>();
  usedChannels = new Set<number>();
  streams = new Map<string, MediaStream>();
  constructor(readonly id: string) {}
}

export interface IndieOptions {
  /** The meeting secret (the fragment of a participant link). */
  secret: string;
  name: string;
  /** ws[s]://host/ws */
  wsUrl: string;
}

export class IndieClient {
  readonly events: IndieEvent[] = [];
  peerId = '';
  room = '';
  private key!: CryptoKey;
  private visit!: CryptoKeyPair;
  private visitPublic = '';
  private ws!: WebSocket;
  private iceServers: RTCIceServer[] = [];
  private remotes = new Map<string, Remote>();
  /** Peers the welcome listed that have not answered yet. */
  private unanswered = new Set<string>();
  private held?: { state: RoomState; sig: string };
  private standing: Standing | 'deciding' = 'deciding';
  private stream!: MediaStream;
  private welcomeAt = 0;

  constructor(readonly options: IndieOptions) {}

  private log(e: IndieEvent): void {
    this.events.push(e);
  }

  async start(): Promise<void> {
    const { secret } = this.options;
    this.room = b64url(await sha256(utf8.encode(`runde-room-v1:${secret}`)));
    const raw = await hkdf(secret, 'runde-signal-salt-v1', 'runde-signal-v1');
    this.key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
    this.visit = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pub = new Uint8Array(await crypto.subtle.exportKey('raw', this.visit.publicKey));
    this.visitPublic = b64url(pub);
    this.peerId = b64url((await sha256(pub)).slice(0, 16));
    this.stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    this.ws = new WebSocket(this.options.wsUrl);
    this.ws.onmessage = (e) => void this.onBox(JSON.parse(String(e.data))).catch((err) => this.log({ type: 'dropped', why: `box handler: ${err}` }));
    await new Promise<void>((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error('websocket failed'));
    });
    this.ws.send(JSON.stringify({ type: 'join', room: this.room, peer: this.peerId, version: 1 }));
  }

  // ---- the box ----

  private async onBox(msg: Record<string, unknown>): Promise<void> {
    switch (msg.type) {
      case 'welcome': {
        this.iceServers = msg.iceServers as RTCIceServer[];
        const peers = msg.peers as string[];
        this.log({ type: 'welcome', peers });
        this.welcomeAt = Date.now();
        for (const id of peers) {
          const r = this.remote(id);
          this.unanswered.add(id);
          r.ourNonce = b64url(randomBytes(16));
          await this.seal(id, { runde: 'hello', name: this.options.name, key: this.visitPublic, nonce: r.ourNonce });
        }
        // The 3 s rule (a host answered) needs a look once 3 s have passed.
        setTimeout(() => this.decide(), 3_100);
        this.decide();
        return;
      }
      case 'peer-joined':
        this.remote(msg.peer as string); // it will say hello
        return;
      case 'peer-left': {
        const id = msg.peer as string;
        this.log({ type: 'peer-left', peer: id });
        this.unanswered.delete(id);
        const r = this.remotes.get(id);
        r?.pc?.close();
        this.remotes.delete(id);
        this.decide();
        return;
      }
      case 'signal':
        return this.onSignal(msg.from as string, msg.data as Record<string, unknown>);
      case 'error':
        this.log({ type: 'dropped', why: `box error ${msg.code}: ${msg.message}` });
        return;
    }
  }

  private remote(id: string): Remote {
    let r = this.remotes.get(id);
    if (!r) this.remotes.set(id, (r = new Remote(id)));
    return r;
  }

  private aad(from: string, to: string): Uint8Array<ArrayBuffer> {
    return utf8.encode(`runde-signal-v1|${from}|${to}`);
  }

  private async seal(to: string, payload: unknown): Promise<void> {
    const r = this.remote(to);
    const seq = ++r.sendSeq;
    const iv = randomBytes(12);
    const plain = utf8.encode(JSON.stringify({ seq, payload }));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: this.aad(this.peerId, to) }, this.key, plain));
    this.ws.send(JSON.stringify({ type: 'signal', to, data: { v: 1, iv: b64url(iv), ct: b64url(ct) } }));
  }

  private async onSignal(from: string, data: Record<string, unknown>): Promise<void> {
    const r = this.remote(from);
    let opened: { seq: number; payload: Record<string, unknown> };
    try {
      const plain = await crypto.subtle.decrypt(
        { name: 'AES-GCM', iv: fromB64url(String(data.iv)), additionalData: this.aad(from, this.peerId) },
        this.key,
        fromB64url(String(data.ct)),
      );
      opened = JSON.parse(fromUtf8.decode(plain));
    } catch {
      return this.log({ type: 'dropped', why: 'signal did not open' });
    }
    if (!Number.isInteger(opened.seq) || opened.seq <= r.recvSeq) return this.log({ type: 'dropped', why: 'old seq' });
    r.recvSeq = opened.seq;
    const p = opened.payload;
    if (typeof p !== 'object' || p === null) return this.log({ type: 'dropped', why: 'payload not an object' });
    if (typeof p.runde === 'string') return this.onAdmission(r, p);
    if (typeof p.g === 'number' && typeof p.s === 'object') return this.onNegotiation(r, p.g, p.s as Record<string, unknown>);
    this.log({ type: 'dropped', why: `unknown payload ${JSON.stringify(p).slice(0, 80)}` });
  }

  // ---- admission (PROTOCOL.md §10a) ----

  private proofText(signer: string, other: string, nonce: string): Uint8Array<ArrayBuffer> {
    return utf8.encode(`runde-peer-v1|${this.room}|${signer}|${other}|${nonce}`);
  }

  private async sign(text: Uint8Array<ArrayBuffer>): Promise<string> {
    return b64url(new Uint8Array(await crypto.subtle.sign('Ed25519', this.visit.privateKey, text)));
  }

  /** Checks `key` hashes to `r.id` and `proof` signs our nonce; remembers the key. */
  private async checkProof(r: Remote, key: unknown, proof: unknown): Promise<boolean> {
    if (typeof key !== 'string' || typeof proof !== 'string' || key.length !== 43 || proof.length !== 86) return false;
    const raw = fromB64url(key);
    if (b64url((await sha256(raw)).slice(0, 16)) !== r.id) return false;
    const pub = await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
    const ok = await crypto.subtle.verify('Ed25519', pub, fromB64url(proof), this.proofText(r.id, this.peerId, r.ourNonce));
    if (ok) {
      r.key = pub;
      r.keyText = key;
    }
    return ok;
  }

  private async onAdmission(r: Remote, p: Record<string, unknown>): Promise<void> {
    switch (p.runde) {
      case 'hello': {
        // A newcomer: answer with our key, a nonce, our proof over its nonce and the held state.
        if (typeof p.key !== 'string' || typeof p.nonce !== 'string') return this.log({ type: 'dropped', why: 'bad hello' });
        r.proved = false;
        r.heldSignals = [];
        r.keyText = p.key;
        r.name = typeof p.name === 'string' ? p.name : '';
        r.theirNonce = p.nonce;
        r.ourNonce = b64url(randomBytes(16));
        if (p.host) await this.takeStatement(r, p.host as Signed, false);
        const entry: Record<string, unknown> = {
          runde: 'entry',
          key: this.visitPublic,
          nonce: r.ourNonce,
          proof: await this.sign(this.proofText(this.peerId, r.id, p.nonce)),
        };
        if (this.heldSigned) entry.state = this.heldSigned;
        if (this.standing === 'waiting') entry.waiting = this.options.name;
        await this.seal(r.id, entry);
        return;
      }
      case 'proof': {
        // The newcomer's proof over the nonce of our entry.
        if (!(await this.checkProof(r, r.keyText, p.proof))) return this.log({ type: 'dropped', why: 'bad proof' });
        this.proved(r);
        return this.release(r);
      }
      case 'entry': {
        if (!this.unanswered.has(r.id) && r.answered) return this.log({ type: 'dropped', why: 'second entry' });
        if (!(await this.checkProof(r, p.key, p.proof))) return this.log({ type: 'dropped', why: 'bad entry' });
        if (typeof p.nonce !== 'string') return;
        r.theirNonce = p.nonce;
        await this.seal(r.id, { runde: 'proof', proof: await this.sign(this.proofText(this.peerId, r.id, r.theirNonce)) });
        this.proved(r);
        r.answered = true;
        this.unanswered.delete(r.id);
        if (p.host) await this.takeStatement(r, p.host as Signed, true);
        if (p.state) await this.takeStatement(r, p.state as Signed, true);
        this.decide();
        return;
      }
      case 'host': {
        if (!r.proved) return this.log({ type: 'dropped', why: 'host statement from an unproved peer' });
        await this.takeStatement(r, p.st as Signed, true);
        return;
      }
    }
    this.log({ type: 'dropped', why: `unknown admission ${String(p.runde)}` });
  }

  private proved(r: Remote): void {
    r.proved = true;
    this.log({ type: 'proved', peer: r.id });
  }

  private heldSigned?: Signed;

  /** Verifies a signed statement (PROTOCOL.md §10a); a newer state replaces the held one. */
  private async takeStatement(from: Remote, signed: Signed, fromProved: boolean): Promise<void> {
    if (!signed || typeof signed.st !== 'string' || typeof signed.key !== 'string' || typeof signed.sig !== 'string') return;
    if (signed.key.length !== 43 || signed.sig.length !== 86 || !isCanonicalB64url(signed.key) || !isCanonicalB64url(signed.sig)) return;
    const keyRaw = fromB64url(signed.key);
    if (b64url((await sha256(keyRaw)).slice(0, 16)) !== this.options.secret) return this.log({ type: 'dropped', why: 'statement key is not the host key' });
    const pub = await crypto.subtle.importKey('raw', keyRaw, { name: 'Ed25519' }, false, ['verify']);
    if (!(await crypto.subtle.verify('Ed25519', pub, fromB64url(signed.sig), utf8.encode(`runde-host-v1|${signed.st}`))))
      return this.log({ type: 'dropped', why: 'bad statement signature' });
    const st = JSON.parse(signed.st) as Record<string, unknown>;
    if (st.room !== this.room || !Number.isSafeInteger(st.at) || (st.at as number) <= 0) return;
    this.log({ type: 'host', peer: from.id, kind: String(st.kind) });
    if (st.kind === 'host') {
      if (st.peer === from.id && fromProved) from.isHost = true;
      return;
    }
    if (st.kind !== 'state') return;
    const state = st as unknown as RoomState;
    if (this.held && !(state.at > this.held.state.at || (state.at === this.held.state.at && signed.sig > this.held.sig))) return;
    this.held = { state, sig: signed.sig };
    this.heldSigned = signed;
    // Pass it on once to everyone connected.
    for (const r of this.remotes.values()) if (r !== from && r.dc?.readyState === 'open') this.send(r, { type: 'host', st: signed });
    this.onNewState();
  }

  private standingOf(id: string): Standing {
    const s = this.held?.state;
    if (!s) return 'in';
    if (s.removed.includes(id)) return 'removed';
    if (s.declined.includes(id)) return 'declined';
    if (!s.locked || s.admitted.includes(id)) return 'in';
    return 'waiting';
  }

  private onNewState(): void {
    if (this.standing === 'deciding') {
      // A waiting standing may be concluded early, from the first state that says so.
      if (this.standingOf(this.peerId) !== 'in') this.decide();
      return;
    }
    const own = this.standingOf(this.peerId);
    if (own !== this.standing) {
      this.standing = own;
      this.log({ type: 'standing', standing: own });
    }
    if (own === 'in') {
      for (const r of this.remotes.values()) void this.release(r);
    }
  }

  private decide(): void {
    if (this.standing !== 'deciding' || this.welcomeAt === 0) return;
    const own = this.standingOf(this.peerId);
    const everyone = this.unanswered.size === 0;
    const hostAnswered = Date.now() - this.welcomeAt >= 3_000 && [...this.remotes.values()].some((r) => r.isHost && r.answered);
    const early = own !== 'in' && this.held !== undefined;
    if (!everyone && !hostAnswered && !early) return;
    this.standing = own;
    this.log({ type: 'standing', standing: own });
    if (own === 'in') for (const r of this.remotes.values()) void this.release(r);
  }

  /** Dials `r` (or answers its held offer) when both of us are in and it proved itself. */
  private async release(r: Remote): Promise<void> {
    if (this.standing !== 'in' || !r.proved || this.standingOf(r.id) !== 'in') return;
    if (r.heldSignals.length > 0) {
      const held = r.heldSignals;
      r.heldSignals = [];
      for (const { g, s } of held) await this.onNegotiation(r, g, s);
      return;
    }
    // We dial the peers we said hello to (we are the newcomer); later newcomers dial us.
    if (!r.pc && r.answered) await this.dial(r, 1);
  }

  // ---- WebRTC (PEERS.md §2) ----

  private newPc(r: Remote, g: number, initiator: boolean): RTCPeerConnection {
    r.pc?.close();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    r.pc = pc;
    r.g = g;
    r.initiator = initiator;
    r.remoteSet = false;
    r.pendingCandidates = [];
    r.usedChannels.clear();
    pc.onicecandidate = (e) => {
      // Never an end-of-candidates signal (PEERS.md §2).
      if (!e.candidate?.candidate || r.pc !== pc) return;
      const { candidate, sdpMid, sdpMLineIndex } = e.candidate;
      void this.seal(r.id, { g, s: { type: 'candidate', candidate: { candidate, sdpMid, sdpMLineIndex } } });
    };
    pc.ontrack = (e) => {
      for (const s of e.streams) r.streams.set(s.id, s);
      this.showTracks(r);
    };
    pc.onsignalingstatechange = () => {
      if (pc.signalingState === 'stable' && r.renegotiateWanted && r.initiator && r.pc === pc) {
        r.renegotiateWanted = false;
        void this.offer(r);
      }
    };
    let disconnected: ReturnType<typeof setTimeout> | undefined;
    pc.oniceconnectionstatechange = () => {
      if (r.pc !== pc) return;
      clearTimeout(disconnected);
      if (pc.iceConnectionState === 'failed') this.down(r, pc);
      if (pc.iceConnectionState === 'disconnected') disconnected = setTimeout(() => this.down(r, pc), 1_000);
      if (pc.iceConnectionState === 'connected') r.failures = 0;
    };
    for (const track of this.stream.getTracks()) pc.addTrack(track, this.stream);
    return pc;
  }

  /** PEERS.md §3: a connection that failed; the smaller peer id redials with the next generation. */
  private down(r: Remote, pc: RTCPeerConnection): void {
    if (r.pc !== pc || this.remotes.get(r.id) !== r) return;
    this.log({ type: 'down', peer: r.id, g: r.g });
    pc.close();
    if (!(this.peerId < r.id)) return; // the other side redials
    const delay = Math.min(5_000, 500 * 2 ** r.failures++) * (0.5 + Math.random() / 2);
    setTimeout(() => {
      if (r.pc === pc && this.remotes.get(r.id) === r) void this.dial(r, r.g + 1);
    }, delay);
  }

  private async dial(r: Remote, g: number): Promise<void> {
    const pc = this.newPc(r, g, true);
    this.useChannel(r, pc.createDataChannel(b64url(randomBytes(15))));
    await this.offer(r);
  }

  private async offer(r: Remote): Promise<void> {
    const pc = r.pc!;
    if (pc.signalingState !== 'stable') {
      r.renegotiateWanted = true;
      return;
    }
    await pc.setLocalDescription(await pc.createOffer());
    await this.seal(r.id, { g: r.g, s: { type: 'offer', sdp: pc.localDescription!.sdp } });
  }

  private async onNegotiation(r: Remote, g: number, s: Record<string, unknown>): Promise<void> {
    if (!Number.isSafeInteger(g) || g < 1) return this.log({ type: 'dropped', why: 'bad generation' });
    if (this.standing !== 'in' || !r.proved || this.standingOf(r.id) !== 'in') {
      if (r.heldSignals.length < 64) r.heldSignals.push({ g, s });
      return;
    }
    if (g < r.g) return this.log({ type: 'dropped', why: 'stale generation' });
    if (s.type === 'offer') {
      if (r.pc && g === r.g && r.initiator) {
        // Both dialled: the smaller peer id's offer stands.
        if (this.peerId < r.id && r.pc.signalingState === 'have-local-offer') return;
        if (!(r.pc.signalingState === 'have-local-offer')) return this.log({ type: 'dropped', why: 'offer to the initiator' });
      }
      if (!r.pc || g > r.g || r.initiator) {
        const pc = this.newPc(r, g, false);
        pc.ondatachannel = (e) => this.useChannel(r, e.channel);
      }
      const pc = r.pc!;
      await pc.setRemoteDescription({ type: 'offer', sdp: String(s.sdp) });
      await this.flushCandidates(r);
      await pc.setLocalDescription(await pc.createAnswer());
      await this.seal(r.id, { g, s: { type: 'answer', sdp: pc.localDescription!.sdp } });
      return;
    }
    if (g > r.g || !r.pc) return this.log({ type: 'dropped', why: `${String(s.type)} for no connection` });
    const pc = r.pc;
    switch (s.type) {
      case 'answer':
        await pc.setRemoteDescription({ type: 'answer', sdp: String(s.sdp) });
        await this.flushCandidates(r);
        return;
      case 'candidate': {
        const c = s.candidate as RTCIceCandidateInit;
        if (r.remoteSet) await pc.addIceCandidate(c);
        else r.pendingCandidates.push(c);
        return;
      }
      case 'renegotiate':
        if (r.initiator) await this.offer(r);
        return;
      case 'transceiverRequest': {
        const req = s.transceiverRequest as { kind: string; init?: RTCRtpTransceiverInit };
        if (r.initiator) {
          pc.addTransceiver(req.kind, req.init);
          await this.offer(r);
        }
        return;
      }
    }
    this.log({ type: 'dropped', why: `unknown signal ${String(s.type)}` });
  }

  private async flushCandidates(r: Remote): Promise<void> {
    r.remoteSet = true;
    const pending = r.pendingCandidates;
    r.pendingCandidates = [];
    for (const c of pending) await r.pc!.addIceCandidate(c);
  }

  /** Puts received streams into <video> elements, so that they play (and decode) as on a tile. */
  private showTracks(r: Remote): void {
    for (const [id, stream] of r.streams) {
      if (document.querySelector(`video[data-stream="${id}"]`)) continue;
      const v = document.createElement('video');
      v.dataset.stream = id;
      v.dataset.peer = r.id;
      v.muted = true;
      v.autoplay = true;
      v.playsInline = true;
      v.width = 320;
      v.height = 180;
      v.srcObject = stream;
      document.body.append(v);
    }
  }

  // ---- data channel (PEERS.md §4) ----

  private useChannel(r: Remote, dc: RTCDataChannel): void {
    r.dc = dc;
    const g = r.g;
    let opened = false;
    dc.onopen = () => {
      if (opened) return;
      opened = true;
      this.log({ type: 'connected', peer: r.id, g });
      this.send(r, { type: 'state', name: this.options.name, audio: true, video: true, hand: null, screen: null });
      if (this.heldSigned) this.send(r, { type: 'host', st: this.heldSigned });
      this.send(r, { type: 'view', width: 640, height: 360 });
    };
    dc.onmessage = (e) => {
      if (typeof e.data !== 'string') return this.log({ type: 'dropped', why: 'binary on the main channel' });
      let m: Record<string, unknown>;
      try {
        m = JSON.parse(e.data);
      } catch {
        return this.log({ type: 'dropped', why: 'not JSON' });
      }
      if (m.v !== 1) return this.log({ type: 'dropped', why: `v ${String(m.v)}` });
      void this.onPeerMessage(r, m).catch((err) => this.log({ type: 'dropped', why: `peer message: ${err}` }));
    };
    // A channel that the other side created arrives open: `open` does not fire for it.
    if (dc.readyState === 'open') dc.onopen(new Event('open'));
  }

  private send(r: Remote, message: Record<string, unknown>): void {
    if (r.dc?.readyState === 'open') r.dc.send(JSON.stringify({ v: 1, ...message }));
  }

  private async onPeerMessage(r: Remote, m: Record<string, unknown>): Promise<void> {
    switch (m.type) {
      case 'state':
        r.state = { name: String(m.name), audio: !!m.audio, video: !!m.video, hand: m.hand as number | null, screen: m.screen as string | null };
        return this.log({ type: 'state', peer: r.id, state: r.state });
      case 'chat':
        return this.log({ type: 'chat', peer: r.id, id: String(m.id), text: String(m.text) });
      case 'history':
        return this.log({ type: 'history', peer: r.id, count: (m.messages as unknown[]).length });
      case 'reaction':
        return this.log({ type: 'reaction', peer: r.id, emoji: String(m.emoji) });
      case 'view':
      case 'video-paused':
        return; // we share no upload among receivers
      case 'host':
        return this.takeStatement(r, m.st as Signed, true);
      case 'file-offer':
        return this.onFileOffer(r, m);
      case 'file-accept':
      case 'file-decline':
        r.outgoing.get(String(m.id))?.accepted(m.type === 'file-accept');
        return;
      case 'file-result':
        r.outgoing.get(String(m.id))?.result(m.ok === true);
        return;
      case 'file-done': {
        const f = r.incoming.get(String(m.id));
        if (!f) return;
        f.sha256 = String(m.sha256);
        return this.finishIncoming(r, String(m.id));
      }
      case 'file-cancel': {
        const f = r.incoming.get(String(m.id));
        f?.channel.close();
        r.incoming.delete(String(m.id));
        r.outgoing.get(String(m.id))?.result(false);
        return;
      }
    }
    this.log({ type: 'dropped', why: `unknown type ${String(m.type)}` });
  }

  // ---- files (PEERS.md §5) ----

  private fileChannel(r: Remote, id: number): RTCDataChannel {
    const dc = r.pc!.createDataChannel('runde-file', { negotiated: true, id, ordered: true });
    dc.binaryType = 'arraybuffer';
    return dc;
  }

  private onFileOffer(r: Remote, m: Record<string, unknown>): void {
    const id = String(m.id);
    const channel = m.channel as number;
    // The sender's parity: the initiator of the connection uses even ids, the answerer odd.
    const senderParity = r.initiator ? 1 : 0;
    const size = m.size as number;
    if (
      !Number.isInteger(channel) ||
      channel < 2 ||
      channel > 1023 ||
      channel % 2 !== senderParity ||
      r.usedChannels.has(channel) ||
      !Number.isSafeInteger(size)
    ) {
      this.send(r, { type: 'file-decline', id });
      return;
    }
    r.usedChannels.add(channel);
    const dc = this.fileChannel(r, channel);
    const f: IncomingFile = { name: String(m.name), size, channel: dc, chunks: [], bytes: 0, finished: false };
    r.incoming.set(id, f);
    dc.onmessage = (e) => {
      const chunk = new Uint8Array(e.data as ArrayBuffer);
      f.chunks.push(chunk);
      f.bytes += chunk.length;
      void this.finishIncoming(r, id);
    };
    dc.onclose = () => r.usedChannels.delete(channel);
    this.send(r, { type: 'file-accept', id });
  }

  private async finishIncoming(r: Remote, id: string): Promise<void> {
    const f = r.incoming.get(id);
    if (!f || f.finished || f.sha256 === undefined || f.bytes < f.size) return;
    f.finished = true;
    const all = new Uint8Array(f.bytes);
    let at = 0;
    for (const c of f.chunks) {
      all.set(c, at);
      at += c.length;
    }
    const digest = await blockDigest(all);
    const ok = f.bytes === f.size && digest === f.sha256;
    this.send(r, { type: 'file-result', id, ok });
    f.channel.close();
    r.incoming.delete(id);
    this.received.set(id, all);
    this.log({ type: 'file-received', peer: r.id, id, name: f.name, size: f.size, ok, sha256: digest });
  }
  /** Received files by transfer id. */
  readonly received = new Map<string, Uint8Array>();

  /** Sends `data` to peer `to`; resolves with the receiver's `file-result`. */
  async sendFile(to: string, name: string, mime: string, data: Uint8Array): Promise<boolean> {
    const r = this.remotes.get(to);
    if (!r?.pc || r.dc?.readyState !== 'open') throw new Error(`no connection to ${to}`);
    const id = b64url(randomBytes(12));
    let channelId = r.initiator ? 2 : 3;
    while (r.usedChannels.has(channelId)) channelId += 2;
    r.usedChannels.add(channelId);
    let accepted!: (v: boolean) => void;
    let result!: (v: boolean) => void;
    const acceptance = new Promise<boolean>((resolve) => (accepted = resolve));
    const outcome = new Promise<boolean>((resolve) => (result = resolve));
    r.outgoing.set(id, { data, channelId, accepted, result });
    this.send(r, { type: 'file-offer', id, name, size: data.length, mime, channel: channelId });
    if (!(await acceptance)) {
      r.usedChannels.delete(channelId);
      this.log({ type: 'file-sent', peer: to, id, ok: false });
      return false;
    }
    const dc = this.fileChannel(r, channelId);
    dc.bufferedAmountLowThreshold = 256 * 1024;
    dc.onclose = () => r.usedChannels.delete(channelId);
    if (dc.readyState !== 'open') await new Promise<void>((resolve) => dc.addEventListener('open', () => resolve(), { once: true }));
    const CHUNK = 16 * 1024;
    for (let at = 0; at < data.length; at += CHUNK) {
      if (dc.bufferedAmount > 1024 * 1024) await new Promise<void>((resolve) => dc.addEventListener('bufferedamountlow', () => resolve(), { once: true }));
      dc.send(data.slice(at, at + CHUNK));
    }
    this.send(r, { type: 'file-done', id, sha256: await blockDigest(data) });
    const ok = await outcome;
    dc.close();
    r.outgoing.delete(id);
    this.log({ type: 'file-sent', peer: to, id, ok });
    return ok;
  }

  // ---- what the test asks for ----

  chat(text: string): string {
    const id = b64url(randomBytes(12));
    for (const r of this.remotes.values()) this.send(r, { type: 'chat', id, text, at: Date.now() });
    return id;
  }

  react(emoji: string): void {
    for (const r of this.remotes.values()) this.send(r, { type: 'reaction', emoji });
  }

  /** Peer ids by the name their `state` gave. */
  peerNamed(name: string): string | undefined {
    for (const r of this.remotes.values()) if (r.state?.name === name) return r.id;
    return undefined;
  }

  /** `a=fingerprint` of our side of the connection to `peer`, to find it at the other end. */
  fingerprint(peer: string): string | undefined {
    return this.remotes
      .get(peer)
      ?.pc?.localDescription?.sdp.match(/a=fingerprint:(.+)/)?.[1]
      .trim();
  }

  /** Inbound media per peer name (frames decoded, audio packets), from the connections' stats. */
  async inbound(): Promise<Record<string, { frames: number; audioPackets: number }>> {
    const out: Record<string, { frames: number; audioPackets: number }> = {};
    for (const r of this.remotes.values()) {
      if (!r.pc || r.pc.signalingState === 'closed') continue;
      const totals = { frames: 0, audioPackets: 0 };
      (await r.pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') totals.frames += s.framesDecoded ?? 0;
        if (s.type === 'inbound-rtp' && s.kind === 'audio') totals.audioPackets += s.packetsReceived ?? 0;
      });
      out[r.state?.name ?? r.id] = totals;
    }
    return out;
  }

  leave(): void {
    this.ws.send(JSON.stringify({ type: 'leave' }));
    for (const r of this.remotes.values()) r.pc?.close();
    for (const t of this.stream.getTracks()) t.stop();
  }
}

const api = {
  IndieClient,
  participantSecret,
  blockDigest,
  b64url,
  client: undefined as IndieClient | undefined,
  async start(options: IndieOptions): Promise<string> {
    api.client = new IndieClient(options);
    await api.client.start();
    return api.client.peerId;
  },
};
export type IndieApi = typeof api;
(globalThis as unknown as { indie: IndieApi }).indie = api;
