/**
 * Which camera picture the meeting sends when a background is chosen: the one rule is that once
 * a background is chosen, the camera is never sent without it. A camera that arrives (late, newly
 * picked, or handed over with the lobby's effect) goes out only as the effect's output; until the
 * effect runs, nothing goes out for it. Only when the effect cannot start is the camera sent, with
 * video off, and the person told. A background chosen during the call is the exception the person
 * sees: their camera, already being sent, goes on as it is until the effect runs.
 *
 * Starts take a while (the segmenter loads the first time); the latest request wins, and a
 * superseded start stops its effect, and its camera unless that camera is being sent.
 */
import type { BackgroundAssets, BackgroundEffect, EffectStats } from './background.js';
import type { Background } from './background-choice.js';

/** What the meeting lends the control: its sent video track, and how to change it. */
export interface BackgroundHost {
  /** The video track sent now, if any. */
  sent(): MediaStreamTrack | null;
  /** Sends `track` in place of the sent video track; `keepOld`: the old one goes on (as the effect's camera). */
  send(track: MediaStreamTrack, keepOld: boolean): void;
  /** Whether the person's camera is on: the effect paints nothing while it is off. */
  videoOn(): boolean;
  /** The chosen background could not start for `camera`, which was not sent yet: send it with video off, and tell. */
  failed(camera: MediaStreamTrack): void;
  /** Called when the camera under the effect ends (unplugged): the meeting replaces it. */
  cameraEnded: () => void;
  assets?: BackgroundAssets | undefined;
}

export class BackgroundControl {
  readonly #host: BackgroundHost;
  #choice: Background;
  #effect: BackgroundEffect | null = null;
  /** Starts asked for so far: only the latest one's effect is used. */
  #requests = 0;
  /** Cameras waiting for their effect (not sent): stopped if the meeting ends meanwhile. */
  readonly #waiting = new Set<MediaStreamTrack>();
  #closed = false;

  constructor(host: BackgroundHost, choice: Background) {
    this.#host = host;
    this.#choice = choice;
  }

  /** The background chosen ('none': the camera as it is). */
  get choice(): Background {
    return this.#choice;
  }

  /** The camera in use under the effect, or null without one running. */
  get camera(): MediaStreamTrack | null {
    return this.#effect?.camera ?? null;
  }

  get stats(): EffectStats | null {
    return this.#effect?.stats ?? null;
  }

  get offThread(): boolean {
    return this.#effect?.offThread ?? false;
  }

  /**
   * A camera to send (a late one, a newly picked one, or the lobby's with its effect `started`):
   * into the running effect, through a new one when a background is chosen, else as it is.
   */
  async useCamera(camera: MediaStreamTrack, started?: Promise<BackgroundEffect>): Promise<void> {
    if (this.#closed) return camera.stop();
    if (!started && this.#effect) return this.#effect.setCamera(camera);
    if (!started && this.#choice === 'none') return this.#host.send(camera, false);
    await this.#through(camera, started ?? null, false);
  }

  /**
   * Chooses a background. 'none' sends the camera as it is again (or one waiting for its effect);
   * another changes the running effect, or starts one on the sent camera, rejecting if it
   * cannot start (the camera then goes on as it is).
   */
  async choose(choice: Background): Promise<void> {
    this.#choice = choice;
    if (choice === 'none') {
      this.#requests++; // a start in flight is not needed any more
      const effect = this.#effect;
      const waiting = [...this.#waiting].at(-1);
      this.#effect = null;
      if (effect) {
        this.#host.send(effect.camera, false);
        effect.stop();
      } else if (waiting) {
        this.#waiting.delete(waiting);
        this.#host.send(waiting, false);
      }
      return;
    }
    if (this.#effect) return this.#effect.setChoice(choice);
    if (this.#waiting.size > 0) return; // the start in flight takes the latest choice when it is ready
    const camera = this.#host.sent();
    if (camera?.readyState !== 'live') return;
    // With video off the sent camera is disabled (black), and enabling it would send it: the
    // effect paints from an enabled copy instead, and the camera goes when its output replaces it.
    const source = camera.enabled ? camera : camera.clone();
    source.enabled = true;
    try {
      await this.#through(source, null, true);
    } catch (e) {
      if (source !== camera) source.stop();
      throw e;
    }
  }

  /** While the camera is off nothing is painted. */
  setPaused(paused: boolean): void {
    this.#effect?.setPaused(paused);
  }

  /** The meeting ended: the effect, its camera and any camera waiting for one stop. */
  close(): void {
    this.#closed = true;
    this.#requests++;
    this.#effect?.camera.stop();
    this.#effect?.stop();
    this.#effect = null;
    for (const camera of this.#waiting) camera.stop();
    this.#waiting.clear();
  }

  /**
   * Sends `camera` as the output of an effect (`started`, or one started now). `sentRaw`: the
   * camera is being sent as it is meanwhile; a failure then rejects and it goes on. Otherwise
   * nothing goes out for it until the effect runs, and a failure goes to host.failed.
   */
  async #through(camera: MediaStreamTrack, started: Promise<BackgroundEffect> | null, sentRaw: boolean): Promise<void> {
    const request = ++this.#requests;
    this.#waiting.add(camera);
    let effect: BackgroundEffect | null = null;
    let error: unknown = null;
    try {
      effect = await (started ?? this.#start(camera));
    } catch (e) {
      error = e;
    }
    this.#waiting.delete(camera);
    if (this.#closed || request !== this.#requests) {
      effect?.stop();
      if (this.#closed || this.#host.sent() !== camera) camera.stop();
      return;
    }
    if (!effect) {
      if (sentRaw) throw error;
      this.#choice = 'none';
      this.#host.failed(camera);
      return;
    }
    const old = this.#effect;
    if (old) {
      old.stop();
      if (old.camera !== camera) old.camera.stop();
    }
    if (effect.choice !== this.#choice) effect.setChoice(this.#choice);
    // On and off is the sent track's (the effect pauses instead); a camera not sent may be enabled
    // safely (choose() copies a sent one that is off), and a disabled one would paint black.
    if (this.#host.sent() !== camera) camera.enabled = true;
    effect.setPaused(!this.#host.videoOn());
    camera.addEventListener('ended', this.#host.cameraEnded);
    this.#effect = effect;
    this.#host.send(effect.output, this.#host.sent() === camera);
  }

  /** The effect and its segmenter are chunks of their own, fetched the first time only. */
  async #start(camera: MediaStreamTrack): Promise<BackgroundEffect> {
    const { BackgroundEffect } = await import('./background.js');
    return BackgroundEffect.start(camera, this.#choice, this.#host.assets);
  }
}
