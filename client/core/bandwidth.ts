/**
 * Mesh-aware sending: in a full mesh every sender encodes one stream per receiver, so one upload
 * budget is shared among them, weighted by how large each receiver shows this sender's tile.
 * Pure: turns a budget and the receivers' view sizes into RTCRtpSender parameters.
 */

/** Default total upload per sender: fits a municipal DSL uplink with room for the rest. */
export const DEFAULT_UPLOAD_KBPS = 2_500;
/** Reserved per receiver for audio (Opus speech needs 24–40 kbit/s). */
export const AUDIO_KBPS = 40;
/** Below this, video to that receiver is paused rather than sent as mush. */
export const MIN_VIDEO_KBPS = 120;
/** The most video one receiver gets, however large its tile. */
export const MAX_VIDEO_KBPS = 1_500;

/**
 * How a receiver shows a sender's camera: `large` (the speaker layout's main tile, the active
 * speaker's tile, or any tile at least LARGE_VIEW_HEIGHT CSS pixels high) gets the frame rate
 * its share of the budget allows; a `thumbnail` gets at most THUMBNAIL_FPS. In a mesh every
 * frame is encoded once per receiver and decoded by each: frames nobody watches closely are the
 * cheapest saving (see docs/performance.md).
 */
export type ViewRole = 'large' | 'thumbnail';
export const VIEW_ROLES: readonly ViewRole[] = ['large', 'thumbnail'];
/**
 * A tile at least this high counts as large whatever its place: CSS pixels, since it is about how
 * prominent the tile looks (a grid of up to four on a 1280×720 page: 355 high; of five or more: 237).
 */
export const LARGE_VIEW_HEIGHT = 300;
/** The frame rate a thumbnail gets: smooth enough for a face, three quarters of a 20 fps camera or half of 30. */
export const THUMBNAIL_FPS = 15;

export interface ReceiverView {
  id: string;
  /** Until the receiver says, `large` (the frame rate its share allows, as before roles existed). */
  role?: ViewRole;
  /**
   * How large the receiver renders our tile, in device pixels; null until it says; 0×0 when it
   * shows it nowhere (its tab is hidden): then it gets no video, and no share of the budget.
   */
  width: number | null;
  height: number | null;
}

export interface VideoPlan {
  /** Send video to this receiver at all. */
  active: boolean;
  maxBitrateKbps: number;
  scaleResolutionDownBy: number;
  maxFramerate: number;
}

/** A tile size assumed before a receiver reports one (a mid-size grid tile). */
const DEFAULT_VIEW = { width: 480, height: 270 };

/**
 * The video plan per receiver for a sender whose camera delivers `sourceHeight` lines.
 * `budgetKbps` is the whole upload budget; audio is reserved first and never starved.
 */
export function planVideo(receivers: readonly ReceiverView[], budgetKbps: number, sourceHeight: number, audioOnly = false): Map<string, VideoPlan> {
  const plans = new Map<string, VideoPlan>();
  const videoBudget = Math.max(0, budgetKbps - AUDIO_KBPS * receivers.length);
  const shown = receivers.map((r) => r.width !== 0 && r.height !== 0);
  // A tile larger than what the camera gives gets the camera's full picture anyway: it weighs no
  // more than one of the camera's size (so that a receiver claiming a huge tile cannot take the
  // others' share).
  const clamp = (v: number | null, fallback: number, most: number) => Math.min(v ?? fallback, most);
  const areas = receivers.map((r, i) =>
    shown[i] ? Math.max(1, clamp(r.width, DEFAULT_VIEW.width, (sourceHeight * 16) / 9) * clamp(r.height, DEFAULT_VIEW.height, sourceHeight)) : 0,
  );
  // Square root of the area: a tile twice as wide (4× the pixels) gets about twice the bits.
  const weights = areas.map(Math.sqrt);
  const total = weights.reduce((a, b) => a + b, 0) || 1;
  receivers.forEach((r, i) => {
    const share = Math.min(MAX_VIDEO_KBPS, (videoBudget * (weights[i] ?? 0)) / total);
    const height = r.height ?? DEFAULT_VIEW.height;
    const active = !audioOnly && shown[i] === true && share >= MIN_VIDEO_KBPS;
    plans.set(r.id, {
      active,
      // Rounded down, so that the shares never add up to more than the budget; never 0, even
      // for a receiver that gets no video: a browser may read 0 as "no limit".
      maxBitrateKbps: Math.max(1, Math.floor(share)),
      // Never upscale; send about the lines the receiver shows (its report is in device pixels,
      // so a HiDPI screen asks for more). Every line more costs both ends CPU for each stream.
      scaleResolutionDownBy: Math.max(1, Math.round((sourceHeight / Math.max(90, height)) * 4) / 4),
      maxFramerate: Math.min(share >= 500 ? 30 : share >= 250 ? 24 : 15, r.role === 'thumbnail' ? THUMBNAIL_FPS : Number.POSITIVE_INFINITY),
    });
  });
  return plans;
}

/**
 * A bitrate this little below the wanted one is not worth a change: every setParameters
 * reconfigures the encoder, and congestion control moves the budget a little every few seconds.
 * One above it is always lowered, so that a sender never exceeds its budget.
 */
export const BITRATE_TOLERANCE = 0.1;

function closeEnough(current: number | undefined, wanted: number): boolean {
  return current !== undefined && current <= wanted && current >= wanted * (1 - BITRATE_TOLERANCE);
}

/**
 * The longest a sender's setParameters may take. Chromium sometimes never settles one that
 * overlaps a renegotiation (bench:mesh: one per person when a sixth joined and every link
 * renegotiated its audio packet time), and shaping waits for each round to end: without a limit,
 * one such call froze a person's shaping for the rest of the meeting, its new views unheard.
 */
export const SET_PARAMETERS_LIMIT_MS = 5_000;

/** `work`, or a rejection once `ms` passed without it settling. */
function settledWithin<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/**
 * Applies a plan to one connection's senders: audio gets high priority, the camera's video the
 * plan. A shared screen's sender is left alone (it matters more than faces). True when every
 * sender has it (or had it already); false when a sender's parameters are not negotiated yet or
 * a change failed or did not settle in time, so that the caller tries again.
 */
export async function applyPlan(
  connection: Pick<RTCPeerConnection, 'getSenders'>,
  plan: VideoPlan,
  camera: MediaStreamTrack | null,
  limitMs = SET_PARAMETERS_LIMIT_MS,
): Promise<boolean> {
  let applied = true;
  for (const sender of connection.getSenders()) {
    const kind = sender.track?.kind;
    if (!kind || (kind === 'video' && sender.track !== camera)) continue;
    const params = sender.getParameters();
    if (!params.encodings?.length) {
      applied = false; // not negotiated yet; the next round applies it
      continue;
    }
    const enc = params.encodings[0] as RTCRtpEncodingParameters & { networkPriority?: RTCPriorityType; priority?: RTCPriorityType };
    if (kind === 'audio') {
      if (enc.priority === 'high' && enc.networkPriority === 'high') continue;
      enc.priority = 'high';
      enc.networkPriority = 'high';
    } else {
      const same =
        enc.active === plan.active &&
        closeEnough(enc.maxBitrate, plan.maxBitrateKbps * 1000) &&
        enc.scaleResolutionDownBy === plan.scaleResolutionDownBy &&
        enc.maxFramerate === plan.maxFramerate;
      if (same) continue;
      enc.active = plan.active;
      enc.maxBitrate = plan.maxBitrateKbps * 1000;
      enc.scaleResolutionDownBy = plan.scaleResolutionDownBy;
      enc.maxFramerate = plan.maxFramerate;
    }
    try {
      await settledWithin(sender.setParameters(params), limitMs);
    } catch {
      // a renegotiation raced us, or it did not settle in time: the next round applies it
      applied = false;
    }
  }
  return applied;
}
