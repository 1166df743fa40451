/**
 * Who a peer is, for the length of one visit: an Ed25519 key pair made when the person joins, and
 * a peer id that is the key's hash (the first 16 bytes of SHA-256 of the raw public key,
 * base64url). Nobody can use a peer id without its private key — not a link holder who joins the
 * box under the id of a participant who left, nor one who replays what that participant sent.
 *
 * Two peers prove their ids to each other when they first talk (admission-control.ts): each
 * sends a fresh nonce, and each signs "runde-peer-v1|room|own id|other id|other's nonce". A
 * signature made for one peer, one room or one nonce is worth nothing anywhere else.
 * PROTOCOL.md §10a specifies it.
 */
import { peerId, type PeerId, type RoomId } from '../../signaling/protocol.js';
import { keyIdOf } from './host-key.js';
import { fromBase64Url, toBase64Url } from './room-link.js';

export interface VisitIdentity {
  readonly id: PeerId;
  /** Raw 32-byte public key, base64url (43 characters). */
  readonly publicKey: string;
  /** Not extractable. */
  readonly privateKey: CryptoKey;
}

const PROOF_CONTEXT = 'runde-peer-v1';
const NONCE_BYTES = 16;
const encoder = new TextEncoder();

/** The peer id a public key (base64url) stands for: its key id, as a meeting secret is the host key's. */
export async function peerIdOfKey(publicKey: string): Promise<PeerId> {
  return peerId(await keyIdOf(fromBase64Url(publicKey)));
}

/** A key pair and the id it gives, for one visit to one meeting. */
export async function newVisitIdentity(): Promise<VisitIdentity> {
  const pair = (await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as CryptoKeyPair;
  const publicKey = toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)));
  return { id: await peerIdOfKey(publicKey), publicKey, privateKey: pair.privateKey };
}

/** 128 random bits, base64url: what the other side must sign to prove its id to us. */
export function newNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

const proofInput = (room: RoomId, from: PeerId, to: PeerId, nonce: string) => encoder.encode(`${PROOF_CONTEXT}|${room}|${from}|${to}|${nonce}`);

/** Proves to `to` that we hold our id's key, over the nonce `to` sent us. */
export async function prove(identity: VisitIdentity, room: RoomId, to: PeerId, nonce: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('Ed25519', identity.privateKey, proofInput(room, identity.id, to, nonce))));
}

/** Whether `publicKey` is `from`'s key and `proof` its signature for us over our `nonce`. */
export async function checkProof(room: RoomId, from: PeerId, to: PeerId, nonce: string, publicKey: string, proof: string): Promise<boolean> {
  try {
    if ((await peerIdOfKey(publicKey)) !== from) return false;
    const key = await crypto.subtle.importKey('raw', fromBase64Url(publicKey), 'Ed25519', false, ['verify']);
    return await crypto.subtle.verify('Ed25519', key, fromBase64Url(proof), proofInput(room, from, to, nonce));
  } catch {
    return false; // not base64, not a curve point
  }
}
