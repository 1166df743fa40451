/**
 * The shapes the call core hands around: a remote peer as the UI sees it, our own state, the
 * mesh's events and options. In a file of their own so that the UI can name them (through
 * meeting.ts) without importing the mesh.
 */
import type { PeerId, RoomId, WelcomeMessage } from '../../signaling/protocol.js';
import type { RundeError } from './errors.js';
import type { HostKey } from './host-key.js';
import type { HostRequest } from './statements.js';
import type { VisitIdentity } from './visit-identity.js';
import type { Link, PeerLinkOptions } from './peer.js';
import type { PeerMessage, StateMessage } from './peer-messages.js';
import type { SignalingState } from './signaling-client.js';

export interface RemotePeer {
  readonly id: PeerId;
  /** What the peer calls itself (over the data channel); empty until it says. */
  name: string;
  /**
   * Its first `state` message arrived: until then its name, microphone and camera are unknown
   * (not "off"), and the UI shows neither "Guest" nor an avatar over video that already plays.
   */
  stateKnown: boolean;
  /** Whether its microphone and camera are on, as it reports. */
  audio: boolean;
  video: boolean;
  /** Its place in the order of raised hands, or null. */
  hand: number | null;
  /** It says it is recording the meeting (everyone is shown; a modified client could stay silent). */
  recording: boolean;
  /** Camera and microphone. */
  stream: MediaStream | null;
  /** A shared screen, window or tab. */
  screen: MediaStream | null;
  /** The data channel is open. */
  connected: boolean;
  /** The current connection; replaced (not the peer) when a failed connection is redialled. */
  link: Link;
  /** Generation of `link`: raised by the dialling side on every redial, so stale signals drop. */
  generation: number;
  /** Malformed or unknown data-channel messages dropped from this peer. */
  dropped: number;
  /** It paused its video to us to save bandwidth (we show its avatar instead). */
  videoPaused: boolean;
  /** The stream id it announced for its screen (the stream itself may arrive before or after). */
  screenId: string | null;
}

export interface LocalState {
  readonly id: PeerId;
  name: string;
  audio: boolean;
  video: boolean;
  hand: number | null;
  screen: MediaStream | null;
  /** We are recording the meeting (the others are told). */
  recording: boolean;
}

/**
 * The call's events, over the shape a peer has for the listener: the mesh hands out its
 * RemotePeer records, the Meeting facade the same records as a PeerView (without the connection).
 */
export interface CallEvents<P> {
  /** The box let us in (again). */
  joined: (welcome: WelcomeMessage) => void;
  /** A peer proved the room key; its media and name may follow. */
  peerJoined: (peer: P) => void;
  /** The data channel to a peer opened: it can receive messages now. */
  peerConnected: (peer: P) => void;
  /** A peer's connection state, name, microphone/camera/hand state or streams changed. */
  peerUpdated: (peer: P) => void;
  peerLeft: (id: PeerId) => void;
  /** A valid message other than `state` arrived from a peer. */
  message: (peer: P, msg: Exclude<PeerMessage, StateMessage>) => void;
  /** Our own name, microphone/camera/hand state, devices or screen changed. */
  localUpdated: (local: LocalState) => void;
  signalingState: (state: SignalingState) => void;
  /** The meeting cannot go on (room full, turned away, box refused); it has been closed. */
  failed: (error: RundeError) => void;
  /** Relay-only mode cannot work: no TURN server offered, or it refused us. */
  relayProblem: (code: 'ERR_RELAY_UNAVAILABLE' | 'ERR_RELAY_REFUSED') => void;
  /** The lock, the knocks, the hosts or our own admission changed. */
  admissionChanged: () => void;
  /** A host asked us to mute or to lower our hand (checked: signed by the host key). */
  hostRequest: (request: HostRequest) => void;
}

export type MeshEvents = CallEvents<RemotePeer>;

export interface MeshOptions {
  /** Our key pair and peer id for this visit (visit-identity.ts `newVisitIdentity`). */
  identity: VisitIdentity;
  /** `ws[s]://host/ws`, or several boxes that share rooms (tried in turn). */
  signalingUrl: string | readonly string[];
  room: RoomId;
  /** The room's signaling key (crypto.ts): every payload through the box is sealed with it. */
  signalKey: CryptoKey;
  name: string;
  /** Whatever local media could be had; an empty stream to only listen and watch. */
  stream: MediaStream;
  audio: boolean;
  video: boolean;
  /** Send and receive only through the TURN relay the box names (hides IP addresses from peers). */
  relayOnly?: boolean;
  /** The meeting secret, which is the id of the one host key the meeting accepts (host-key.ts). */
  hostKeyId?: string;
  /** Our host key, when we opened the host link (or this browser remembers it). */
  host?: HostKey;
  /** Makes a connection (PeerLink; the unit tests pass a fake). */
  createLink?: (options: PeerLinkOptions) => Link;
}
