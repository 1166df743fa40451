/**
 * The only bridge from the core to the UI: listens to a Meeting (its mesh, chat, speaking
 * monitor and quality figures) and asks its host to render again.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PeerId } from '../../signaling/protocol.js';
import type { ChatEntry } from '../core/chat.js';
import type { HostAsk, LocalState, Meeting, OwnAdmission, PeerView, SignalingState } from '../core/meeting.js';
import type { Reaction } from '../core/peer-messages.js';
import { t, type MessageKey } from '../i18n/index.js';

/** What the asked person reads (the request is already done, or, to stop recording, being done). */
const HOST_ASKED: Record<HostAsk, MessageKey> = { mute: 'host.askedMute', 'lower-hand': 'host.loweredHand', 'stop-recording': 'host.askedStopRecording' };

/** How long a reaction stays on a tile. */
export const REACTION_SHOW_MS = 4_000;
/** How long a notice (joined, left, hand raised) stays on screen; a newer one replaces it. */
export const TOAST_SHOW_MS = 5_000;

export class MeetingController implements ReactiveController {
  /**
   * After this long without a connection a peer counts as stuck: the call says that this person
   * cannot be reached yet and what may help, and the mesh keeps trying. (A setting for tests.)
   */
  static stuckAfterMs = 20_000;
  peers: readonly PeerView[] = [];
  local!: LocalState;
  signaling!: SignalingState;
  chat: readonly ChatEntry[] = [];
  /** Chat messages from others that arrived while the chat panel was closed. */
  unread = 0;
  chatOpen = false;
  locked = false;
  /** Newcomers waiting at the lock. */
  knocks: ReadonlyArray<{ id: PeerId; name: string }> = [];
  /** Counts knocks that a host should hear about (a new newcomer at the lock), for the chime. */
  knockArrivals = 0;
  ownAdmission: OwnAdmission = 'in';
  /** Peers (and we, by our id) that proved they hold the host key. */
  hosts: ReadonlySet<PeerId> = new Set();
  /** A host other than us is at the box (what a waiting newcomer is told). */
  hostPresent = false;
  /** Still asking after a while: someone has not answered and no host has. */
  waitingForAnswers = false;
  /** The latest sentence for the call's notice line (a host asked us something). */
  notice = '';
  /** Counts notices, so that the same sentence twice is still shown anew. */
  notices = 0;
  /** Counts a host's requests to stop our recording (the call stops it when this changes). */
  stopRecordingAsks = 0;
  /** Why relay-only mode cannot connect, if it cannot. */
  relayProblem: 'ERR_RELAY_UNAVAILABLE' | 'ERR_RELAY_REFUSED' | null = null;
  speaking: ReadonlySet<string> = new Set();
  activeSpeaker: string | null = null;
  /** The latest reaction of each participant (LOCAL for us) that is still shown. */
  readonly reactions = new Map<string, Reaction>();
  /** Peers without a connection for stuckAfterMs or longer. */
  stuck: ReadonlySet<PeerId> = new Set();
  /** Since when each unconnected peer has been waiting for its connection. */
  readonly #connectingSince = new Map<PeerId, number>();
  /** The notice shown on screen (joins, leaves, hands; chat while the chat is closed), or ''. */
  toast = '';
  /** Counts toasts, so that the same sentence twice is shown anew. */
  toasts = 0;
  /** The latest sentence for screen readers (joins, leaves, hands, chat), in a live region. */
  announcement = '';
  /** Counts announcements, so that the same sentence twice is still announced twice. */
  announcements = 0;
  /** What was last announced of each peer: its name once known, and whether its hand was up. */
  readonly #known = new Map<string, { name: string; hand: boolean; recording: boolean; stateKnown: boolean }>();
  /** Knockers a host has been told of. */
  readonly #toldKnocks = new Set<PeerId>();
  #off: Array<() => void> = [];
  #timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly host: ReactiveControllerHost,
    readonly meeting: Meeting,
  ) {
    this.#read();
    host.addController(this);
  }

  hostConnected(): void {
    const { chat, speaking } = this.meeting;
    const mesh = this.meeting;
    const sync = () => this.#update();
    this.#off = [
      mesh.on('peerJoined', sync),
      mesh.on('peerUpdated', (peer) => {
        this.#noticePeer(peer);
        sync();
      }),
      mesh.on('peerLeft', (id) => {
        const known = this.#known.get(id);
        this.#known.delete(id);
        if (known?.name) this.#announce(t('announce.left', { name: known.name }), true);
        sync();
      }),
      mesh.on('localUpdated', sync),
      mesh.on('signalingState', sync),
      mesh.on('joined', sync),
      chat.on('changed', sync),
      chat.on('received', (entry) => {
        if (!this.chatOpen) this.unread++;
        this.#announce(t('announce.chat', { name: entry.name || t('call.guest'), text: entry.text }), !this.chatOpen);
      }),
      speaking.on('levels', (_levels, who) => {
        if (!sameSet(who, this.speaking)) {
          this.speaking = new Set(who);
          this.host.requestUpdate();
        }
      }),
      speaking.on('activeSpeaker', (id) => {
        this.activeSpeaker = id;
        this.host.requestUpdate();
      }),
      this.meeting.on('quality', sync),
      mesh.on('admissionChanged', () => {
        this.#noticeKnocks();
        sync();
      }),
      this.meeting.on('hostAsked', (kind, by) => this.#hostAsked(kind, by)),
      mesh.on('relayProblem', (code) => {
        this.relayProblem = code;
        this.host.requestUpdate();
      }),
      this.meeting.on('safetyCode', sync),
      this.meeting.on('reaction', (from, emoji) => this.#showReaction(from, emoji)),
      this.meeting.on('backgroundFailed', () => this.#notice(t('background.failedCameraOff'))),
    ];
    this.#update();
  }

  hostDisconnected(): void {
    for (const off of this.#off) off();
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#off = [];
  }

  setChatOpen(open: boolean): void {
    this.chatOpen = open;
    if (open) this.unread = 0;
    this.host.requestUpdate();
  }

  #noticePeer(peer: PeerView): void {
    const before = this.#known.get(peer.id);
    const now = { name: peer.name, hand: peer.hand !== null, recording: peer.recording, stateKnown: peer.stateKnown };
    this.#known.set(peer.id, now);
    // Recording first, named even without a name: it must never go untold (a newcomer hears it of
    // everyone who records, and "started" only of someone seen not recording before).
    const name = now.name || t('call.guest');
    if (now.recording && !before?.recording) this.#announce(t(before?.stateKnown ? 'announce.recordingStarted' : 'announce.recording', { name }), true);
    else if (!now.recording && before?.recording) this.#announce(t('announce.recordingStopped', { name }), true);
    else if (now.name && !before?.name) this.#announce(t('announce.joined', { name: now.name }), true);
    else if (now.name && now.hand && !before?.hand) this.#announce(t('announce.hand', { name: now.name }), true);
  }

  /**
   * Hosts hear of each newcomer once: a chime and a spoken sentence. Knocks that came while we
   * were not in yet (a host back after a reload) are told as soon as we are.
   */
  #noticeKnocks(): void {
    const m = this.meeting;
    if (!m.isHost || m.ownAdmission !== 'in') return;
    for (const id of this.#toldKnocks) if (!m.knocking.has(id)) this.#toldKnocks.delete(id);
    for (const [id, name] of m.knocking) {
      if (this.#toldKnocks.has(id)) continue;
      this.#toldKnocks.add(id);
      this.knockArrivals++;
      this.#announce(t('lock.knock', { name: name || t('call.guest') }));
    }
  }

  #hostAsked(kind: HostAsk, by: PeerId): void {
    const name = this.meeting.peers.get(by)?.name || t('host.someone');
    if (kind === 'stop-recording') this.stopRecordingAsks++;
    this.#notice(t(HOST_ASKED[kind], { name }));
  }

  /** A sentence for the call's status line (call.ts shows each new one). */
  #notice(text: string): void {
    this.notice = text;
    this.notices++;
    this.host.requestUpdate();
  }

  /** Tells screen readers (a live region), and with `show` everyone on screen (one notice at a time). */
  #announce(text: string, show = false): void {
    this.announcement = text;
    this.announcements++;
    if (show) this.#showToast(text);
    this.host.requestUpdate();
  }

  #showToast(text: string): void {
    this.toast = text;
    this.toasts++;
    clearTimeout(this.#timers.get('toast'));
    this.#timers.set(
      'toast',
      setTimeout(() => {
        this.toast = '';
        this.host.requestUpdate();
      }, TOAST_SHOW_MS),
    );
  }

  /** Which peers have waited for their connection for stuckAfterMs; a timer looks again then. */
  #trackConnecting(): void {
    const now = Date.now();
    const waiting = new Set(this.peers.filter((p) => !p.connected).map((p) => p.id));
    // Connected or gone: forget since when, and the timer that would look again.
    for (const id of this.#connectingSince.keys()) {
      if (waiting.has(id)) continue;
      this.#connectingSince.delete(id);
      clearTimeout(this.#timers.get(`stuck:${id}`));
      this.#timers.delete(`stuck:${id}`);
    }
    for (const id of waiting) {
      if (this.#connectingSince.has(id)) continue;
      this.#connectingSince.set(id, now);
      this.#timers.set(
        `stuck:${id}`,
        setTimeout(() => this.#update(), MeetingController.stuckAfterMs + 10),
      );
    }
    this.stuck = new Set([...waiting].filter((id) => now - this.#connectingSince.get(id)! >= MeetingController.stuckAfterMs));
  }

  #read(): void {
    const m = this.meeting;
    this.peers = [...m.peers.values()];
    this.local = { ...m.local };
    this.signaling = m.signalingState;
    this.chat = m.chat.entries;
    this.locked = m.locked;
    this.knocks = [...m.knocking].map(([id, name]) => ({ id, name }));
    this.ownAdmission = m.ownAdmission;
    this.hosts = new Set(m.hosts);
    this.hostPresent = m.hostPresent;
    this.waitingForAnswers = m.waitingForAnswers;
    this.#trackConnecting();
  }

  #update(): void {
    this.#read();
    this.host.requestUpdate();
  }

  #showReaction(from: string, emoji: Reaction): void {
    this.reactions.set(from, emoji);
    clearTimeout(this.#timers.get(from));
    this.#timers.set(
      from,
      setTimeout(() => {
        this.reactions.delete(from);
        this.host.requestUpdate();
      }, REACTION_SHOW_MS),
    );
    this.host.requestUpdate();
  }
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
