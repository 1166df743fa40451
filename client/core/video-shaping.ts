/**
 * Shapes what we send to each peer: the upload budget is shared among the receivers by how large
 * each shows our tile (bandwidth.ts), lowered to what congestion control says each connection
 * carries, and applied to the connections' senders. Receivers report their view sizes here;
 * a receiver whose share is too small for video is told its video pauses (and resumes).
 */
import type { PeerId } from '../../signaling/protocol.js';
import { applyPlan, planVideo, type ReceiverView, type VideoPlan, type ViewRole } from './bandwidth.js';
import type { Mesh } from './mesh.js';
import type { PeerQuality } from './quality.js';

/** View sizes are sent at most this often per peer (tiles resize continuously while dragging). */
export const VIEW_REPORT_MS = 500;

/** A receiver's report: its tile's size in device pixels and its role there. */
interface View {
  width: number;
  height: number;
  role: ViewRole;
}

export class VideoShaping {
  /** The configured upload budget; the effective one may be lower (see #shapeOnce). */
  uploadKbps: number;
  /** "Low bandwidth": send audio only. */
  audioOnly = false;
  /** The last plan per receiver, to tell it when its video pauses or resumes. */
  readonly plans = new Map<PeerId, VideoPlan>();
  readonly #mesh: Mesh;
  readonly #quality: ReadonlyMap<PeerId, PeerQuality>;
  readonly #adapt: boolean;
  /** How large each receiver shows our tile, and in what role (it tells us over the data channel). */
  readonly #views = new Map<PeerId, View>();
  /** What we want each sender to know of our tile of it, and what its current connection was told. */
  readonly #wanted = new Map<PeerId, View>();
  readonly #told = new Map<PeerId, string>();
  /**
   * What each connection's senders were last given, as text (the plan and the camera track):
   * most rounds (every quality reading starts one) change nothing, and getParameters waits for
   * WebRTC's threads — on a saturated machine long enough to stall the page (bench:mesh).
   */
  readonly #applied = new WeakMap<RTCPeerConnection, string>();
  /** Peers told within the last VIEW_REPORT_MS: the next report waits for the timer. */
  readonly #viewTimers = new Map<PeerId, ReturnType<typeof setTimeout>>();
  /** When views last started a shaping round, and the timer of the next one (see viewed). */
  #viewShapedAt = Number.NEGATIVE_INFINITY;
  #viewShapeTimer: ReturnType<typeof setTimeout> | null = null;
  #shaping = false;
  #reshape = false;
  #stopped = false;

  constructor(mesh: Mesh, quality: ReadonlyMap<PeerId, PeerQuality>, uploadKbps: number, adapt: boolean) {
    this.#mesh = mesh;
    this.#quality = quality;
    this.uploadKbps = uploadKbps;
    this.#adapt = adapt;
  }

  /**
   * A receiver told us how large it shows our tile, and in what role. The same view again
   * changes nothing; new ones shape at most once per VIEW_REPORT_MS, whoever sent them, so that a
   * modified client flooding views cannot have every connection's encoder reconfigured non-stop.
   */
  viewed(id: PeerId, view: View): void {
    const known = this.#views.get(id);
    if (known && known.width === view.width && known.height === view.height && known.role === view.role) return;
    this.#views.set(id, view);
    if (this.#viewShapeTimer) return; // the timer's round takes it
    const wait = this.#viewShapedAt + VIEW_REPORT_MS - performance.now();
    if (wait <= 0) return this.#shapeForViews();
    this.#viewShapeTimer = setTimeout(() => this.#shapeForViews(), wait);
  }

  #shapeForViews(): void {
    this.#viewShapeTimer = null;
    this.#viewShapedAt = performance.now();
    this.shape();
  }

  /**
   * Tells `id` how large its tile is here (CSS pixels; sent as device pixels, so that a sender
   * sends a plain screen no more lines than it can show) and in what role, at most every
   * VIEW_REPORT_MS. A tile is laid out before its peer's connection is up, and a redialled
   * connection is a new one: the report goes out once the connection is (again) up (connected).
   */
  reportView(id: PeerId, cssWidth: number, cssHeight: number, role: ViewRole): void {
    const scale = globalThis.devicePixelRatio || 1;
    this.#wanted.set(id, { width: Math.round(cssWidth * scale), height: Math.round(cssHeight * scale), role });
    this.#tell(id);
  }

  /** The connection to `id` came up (first, or after a redial): it has been told nothing yet. */
  connected(id: PeerId): void {
    this.#told.delete(id);
    this.#tell(id);
    this.shape();
  }

  forget(id: PeerId): void {
    this.#views.delete(id);
    this.plans.delete(id);
    this.#wanted.delete(id);
    this.#told.delete(id);
    clearTimeout(this.#viewTimers.get(id));
    this.#viewTimers.delete(id);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#viewShapeTimer) clearTimeout(this.#viewShapeTimer);
    for (const id of [...this.#viewTimers.keys()]) this.forget(id);
  }

  /** Shapes again; requests during a round fold into one more round after it. */
  shape(): void {
    if (this.#shaping) {
      this.#reshape = true;
      return;
    }
    this.#shaping = true;
    void (async () => {
      try {
        do {
          this.#reshape = false;
          await this.#shapeOnce();
        } while (this.#reshape && !this.#stopped);
      } finally {
        this.#shaping = false;
      }
    })();
  }

  /** Sends `id` the view we want it to know, unless it knows it, was told just now, or cannot be reached yet. */
  #tell(id: PeerId): void {
    const view = this.#wanted.get(id);
    if (!view || this.#viewTimers.has(id)) return;
    const text = `${view.width}x${view.height} ${view.role}`;
    if (this.#told.get(id) === text || !this.#mesh.sendTo(id, { type: 'view', ...view })) return;
    this.#told.set(id, text);
    this.#viewTimers.set(
      id,
      setTimeout(() => {
        this.#viewTimers.delete(id);
        this.#tell(id); // whatever changed meanwhile
      }, VIEW_REPORT_MS),
    );
  }

  async #shapeOnce(): Promise<void> {
    const peers = [...this.#mesh.peers.values()].filter((p) => p.connected);
    if (peers.length === 0 || !this.#adapt || this.#stopped) return;
    const available = peers.map((p) => this.#quality.get(p.id)?.availableOutKbps ?? null);
    const known = available.filter((v): v is number => v !== null);
    const budget =
      known.length === peers.length
        ? Math.min(
            this.uploadKbps,
            known.reduce((a, b) => a + b, 0),
          )
        : this.uploadKbps;
    const camera = this.#mesh.stream.getVideoTracks()[0] ?? null;
    const sourceHeight = camera?.getSettings().height ?? 480;
    const views: ReceiverView[] = peers.map((p) => {
      const view = this.#views.get(p.id);
      return { id: p.id, width: view?.width ?? null, height: view?.height ?? null, role: view?.role ?? 'large' };
    });
    const plans = planVideo(views, budget, sourceHeight, this.audioOnly);
    // All connections at once: under load each setParameters waits a second or more for
    // WebRTC's network thread (bench:mesh at N = 6: median 1.3 s), and one after the other a
    // newcomer's streams went out unshaped, at full size, for many seconds.
    await Promise.all(
      peers.map(async (peer) => {
        const plan = plans.get(peer.id);
        if (!plan) return;
        const before = this.plans.get(peer.id);
        this.plans.set(peer.id, plan);
        const connection = peer.link.connection;
        // The senders' tracks too: a microphone added late brings a sender of its own to set up.
        const wanted = `${JSON.stringify(plan)} ${connection
          .getSenders()
          .map((s) => s.track?.id ?? '')
          .join()} ${camera?.id ?? ''}`;
        let applied = false;
        try {
          applied = this.#applied.get(connection) === wanted || (await applyPlan(connection, plan, camera));
        } catch {
          // the link was closed meanwhile
        }
        if (!applied) {
          // Not (yet) on the senders, or the link was replaced or closed meanwhile: the next
          // round tries again, and still tells of a pause or resume, since the plan stays the
          // one before.
          this.#applied.delete(connection);
          if (before) this.plans.set(peer.id, before);
          else this.plans.delete(peer.id);
          return;
        }
        this.#applied.set(connection, wanted);
        if (camera && before?.active !== plan.active && (before || !plan.active)) {
          this.#mesh.sendTo(peer.id, { type: 'video-paused', paused: !plan.active });
        }
      }),
    );
  }
}
