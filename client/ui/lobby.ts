/**
 * Before joining: own preview, microphone level, device pickers, start-muted choices, name,
 * copy link (and, for hosts, the host link), and Join. Says plainly what is missing and lets the
 * person join with what works.
 *
 * @fires runde-join - detail: JoinRequest; the lobby hands its stream over to the call
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import type { RundeErrorCode } from '../core/errors.js';
import { AudioLevel, acquireTrack, listDevices, mediaErrorCode, type Devices, type MediaKind } from '../core/media.js';
import type { Background } from '../core/background-choice.js';
import type { BackgroundEffect } from '../core/background.js';
import type { Settings } from '../core/settings.js';
import { markJoinStep } from '../core/timing.js';
import { t, type MessageKey } from '../i18n/index.js';
import { backgroundPicker, canChangeBackground } from './background-picker.js';
import { copyText } from './clipboard.js';
import './server-notice.js';
import { buttonStyles, previewStyles } from './styles.js';

export interface JoinRequest {
  name: string;
  audio: boolean;
  video: boolean;
  /** The devices that were ready on Join (both, one, or none). */
  stream: MediaStream;
  /**
   * The devices still starting on Join (a slow camera): each resolves to its track, which the
   * call adds when it comes, or to null when the device failed. The call owns these tracks.
   */
  pending: Array<Promise<MediaStreamTrack | null>>;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
  relayOnly: boolean;
  /** The background effect to apply once in the call. */
  background: Background;
  /**
   * The preview's background effect, handed over with its camera: `stream` then carries its
   * output, or, while it is still starting, no video at all (the camera is never sent as it is
   * once a background was chosen). `ready` rejects if it cannot start.
   */
  effect: { camera: MediaStreamTrack; ready: Promise<BackgroundEffect> } | null;
}

const KINDS = ['audio', 'video'] as const;

/** How often the level meter redraws; the analyser is cheap but re-rendering is not free. */
const LEVEL_INTERVAL_MS = 100;

@customElement('runde-lobby')
export class RundeLobby extends LitElement {
  static override styles = [
    buttonStyles,
    previewStyles,
    css`
      :host {
        display: block;
        max-width: 56rem;
        margin: 0 auto;
        padding: 1rem;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(16rem, 2fr);
        gap: 1.5rem;
        align-items: start;
      }
      @media (max-width: 40rem) {
        .layout {
          grid-template-columns: 1fr;
        }
      }
      label {
        display: block;
        font-weight: 600;
        margin: 0.75rem 0 0.25rem;
      }
      input[type='text'],
      select {
        font: inherit;
        width: 100%;
        box-sizing: border-box;
        padding: 0.5rem;
        min-height: 44px;
        border: 1px solid var(--runde-page-muted);
        border-radius: var(--runde-radius-s);
      }
      meter {
        width: 100%;
        height: 0.75rem;
      }
      /* The whole label is the touch target: at least 44 px high. */
      .check {
        display: flex;
        gap: 0.5rem;
        align-items: center;
        min-height: 44px;
        font-weight: normal;
      }
      .check input {
        flex: none; /* a long label on a phone squeezed the box to 13 px */
        width: 1.25rem;
        height: 1.25rem;
        margin: 0;
      }
      .problems {
        border-left: var(--runde-space-1) solid var(--runde-danger);
        padding: var(--runde-space-1) var(--runde-space-3);
        margin: var(--runde-space-4) 0;
      }
      .actions {
        display: flex;
        gap: 0.75rem;
        flex-wrap: wrap;
        margin-top: 1.25rem;
      }
      .hint {
        font-size: 0.9rem;
        margin: 0.5rem 0 0;
      }
      /* The live region is there from the start (so that it is read out); empty, it takes no room. */
      .hint:empty {
        margin: 0;
      }
    `,
  ];

  @property() link = '';
  /** The host link, for hosts to pass on to co-hosts ('' when this person is no host). */
  @property() hostLink = '';
  /** The UI language; setting it renders the lobby again in that language. */
  @property() override lang = '';
  @property({ attribute: false }) settings: Settings | null = null;
  /**
   * While the app's server does not answer: when it is checked next (ms since epoch); 0 while it
   * answers. Join then waits for it: the call needs the server to meet anyone, and its address.
   */
  @property({ type: Number }) serverRetryAt = 0;
  @state() private devices: Devices = { audioInputs: [], videoInputs: [], audioOutputs: [] };
  /** Each kind's track once its device has started. */
  @state() private tracks: Partial<Record<MediaKind, MediaStreamTrack>> = {};
  /** Kinds whose device is still starting. */
  @state() private starting: Partial<Record<MediaKind, boolean>> = {};
  /** Why a kind's device did not start. */
  @state() private problems: Partial<Record<MediaKind, RundeErrorCode>> = {};
  @state() private level = 0;
  @state() private name = '';
  @state() private micOn = true;
  @state() private camOn = true;
  @state() private relayOnly = false;
  @state() private background: Background = 'none';
  /** The preview's background effect once it runs, and whether the last one failed to start. */
  @state() private effect: BackgroundEffect | null = null;
  @state() private effectFailed = false;
  @state() private notice = '';
  @state() private joinPending = false;
  @query('video') private video?: HTMLVideoElement;
  #meter: AudioLevel | null = null;
  #meterTimer: ReturnType<typeof setInterval> | null = null;
  #handedOver = false;
  #audioDeviceId: string | null = null;
  #videoDeviceId: string | null = null;
  /** Counts the starts of each kind, so that a device switched meanwhile drops an older start. */
  readonly #generation: Record<MediaKind, number> = { audio: 0, video: 0 };
  /** The latest start of each kind: on Join, those still starting go to the call. */
  readonly #pending: Partial<Record<MediaKind, Promise<MediaStreamTrack | null>>> = {};
  /** The effect being started, for which camera (its segmenter loads the first time): said under the picker. */
  @state() private effectStarting: { camera: MediaStreamTrack; ready: Promise<BackgroundEffect> } | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    const s = this.settings;
    this.name = s?.name ?? '';
    this.micOn = s?.micOn ?? true;
    this.camOn = s?.camOn ?? true;
    this.relayOnly = s?.relayOnly ?? false;
    this.background = s?.background ?? 'none';
    this.#audioDeviceId = s?.audioDeviceId ?? null;
    this.#videoDeviceId = s?.videoDeviceId ?? null;
    // Both at once, each on its own: a slow or blocked camera holds up neither the microphone,
    // nor the pickers (labelled at once where permission was given before), nor Join.
    for (const kind of KINDS) this.#start(kind);
    void this.#listDevices();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopMeter();
    // A start still under way stops its track when it arrives (#arrived: not connected).
    if (!this.#handedOver) {
      for (const track of Object.values(this.tracks)) track?.stop();
      this.#stopEffect();
    }
  }

  protected override updated(changed: PropertyValues): void {
    // Both tracks (the element is muted): what the preview shows is what Join hands over.
    // With a background chosen, the effect's output in place of the camera.
    if ((changed.has('tracks') || changed.has('effect')) && this.video) {
      const video = this.effect?.output ?? this.tracks.video;
      this.video.srcObject = new MediaStream([...(this.tracks.audio ? [this.tracks.audio] : []), ...(video ? [video] : [])]);
    }
    if (changed.has('serverRetryAt') && !this.serverRetryAt && this.joinPending) this.#join();
  }

  /** Starts the device of `kind` (the chosen one, or the default), in place of the current one. */
  #start(kind: MediaKind): void {
    const generation = ++this.#generation[kind];
    if (kind === 'video') this.#stopEffect();
    this.tracks[kind]?.stop();
    if (kind === 'audio') this.#stopMeter();
    this.tracks = { ...this.tracks, [kind]: undefined };
    this.starting = { ...this.starting, [kind]: true };
    this.problems = { ...this.problems, [kind]: undefined };
    const deviceId = kind === 'audio' ? this.#audioDeviceId : this.#videoDeviceId;
    this.#pending[kind] = acquireTrack(kind, deviceId).then(
      (track) => this.#arrived(kind, generation, track),
      (err: unknown) => this.#failed(kind, generation, err),
    );
  }

  /** A device started: the lobby shows it, or the call takes it (Join came first). */
  #arrived(kind: MediaKind, generation: number, track: MediaStreamTrack): MediaStreamTrack | null {
    const latest = generation === this.#generation[kind];
    if (this.#handedOver && latest) return track;
    if (!latest || !this.isConnected) {
      track.stop();
      return null;
    }
    this.tracks = { ...this.tracks, [kind]: track };
    this.starting = { ...this.starting, [kind]: false };
    const deviceId = track.getSettings().deviceId ?? null;
    if (kind === 'audio') {
      this.#audioDeviceId = deviceId;
      this.#meter = new AudioLevel(new MediaStream([track]));
      this.#meterTimer = setInterval(() => (this.level = this.#meter?.read() ?? 0), LEVEL_INTERVAL_MS);
    } else {
      this.#videoDeviceId = deviceId;
      this.#applyBackground();
    }
    void this.#listDevices(); // now with labels, if permission was only given just now
    return track;
  }

  #failed(kind: MediaKind, generation: number, err: unknown): null {
    if (generation !== this.#generation[kind] || this.#handedOver) return null;
    this.starting = { ...this.starting, [kind]: false };
    this.problems = { ...this.problems, [kind]: (err as { code?: RundeErrorCode }).code ?? mediaErrorCode(err) };
    return null;
  }

  async #listDevices(): Promise<void> {
    const devices = await listDevices();
    if (this.isConnected) this.devices = devices;
  }

  /**
   * Shows the chosen background in the preview: starts the effect on the camera (its code and
   * segmenter load now, not after Join), changes it, or ends it for 'none'.
   */
  #applyBackground(): void {
    const camera = this.tracks.video;
    this.effectFailed = false;
    if (this.background === 'none' || !camera) return this.#stopEffect();
    if (this.effect?.camera === camera) return this.effect.setChoice(this.background);
    if (this.effectStarting?.camera === camera) return; // it takes the latest choice when it is ready
    this.#stopEffect();
    const ready = import('../core/background.js').then(({ BackgroundEffect }) => BackgroundEffect.start(camera, this.background));
    const starting = { camera, ready };
    this.effectStarting = starting;
    ready.then(
      (effect) => {
        // The call took this one over (JoinRequest.effect); any other is not needed.
        if (this.#handedOver && this.effectStarting === starting) return;
        if (this.effectStarting !== starting || !this.isConnected) return effect.stop();
        this.effectStarting = null;
        if (this.background === 'none') return effect.stop();
        effect.setChoice(this.background);
        this.effect = effect;
      },
      () => {
        if (this.#handedOver || this.effectStarting !== starting) return;
        this.effectStarting = null;
        this.background = 'none';
        this.effectFailed = true;
      },
    );
  }

  /** Ends the preview's effect (the camera itself stays). */
  #stopEffect(): void {
    this.effectStarting = null;
    this.effect?.stop();
    this.effect = null;
  }

  #stopMeter(): void {
    if (this.#meterTimer) clearInterval(this.#meterTimer);
    this.#meterTimer = null;
    this.#meter?.close();
    this.#meter = null;
    this.level = 0;
  }

  protected override render() {
    const hasVideo = this.tracks.video !== undefined;
    const preview = !this.camOn ? t('lobby.cameraOff') : this.starting.video ? t('lobby.cameraStarting') : hasVideo ? null : t('lobby.cameraOff');
    return html`
      <h1>${t('lobby.heading')}</h1>
      <runde-server-notice .retryAt=${this.serverRetryAt} ?join-pending=${this.joinPending}></runde-server-notice>
      <div class="layout">
        <div class="preview" role="img" aria-label=${t('lobby.preview')}>
          <video autoplay playsinline muted ?hidden=${preview !== null}></video>
          ${preview === null ? null : html`<p>${preview}</p>`}
        </div>
        <form @submit=${this.#handleJoin}>
          ${this.#renderProblems()}
          <label for="name">${t('lobby.name')}</label>
          <input
            id="name"
            name="name"
            type="text"
            autocomplete="name"
            maxlength="64"
            placeholder=${t('lobby.namePlaceholder')}
            .value=${this.name}
            @input=${(e: Event) => (this.name = (e.target as HTMLInputElement).value)}
          />
          ${this.#renderPicker('audio')} ${this.#renderPicker('video')}
          ${
            canChangeBackground()
              ? backgroundPicker(
                  'background',
                  this.background,
                  (b) => {
                    this.background = b;
                    this.#applyBackground();
                  },
                  this.problems.video !== undefined,
                )
              : null
          }
          ${this.effectFailed ? html`<p class="hint" role="alert">${t('background.failed')}</p>` : null}
          <p class="hint" role="status">${this.effectStarting ? t('background.starting') : ''}</p>
          <label class="check">
            <input type="checkbox" name="mic-on" .checked=${this.micOn} ?disabled=${this.problems.audio !== undefined}
              @change=${(e: Event) => (this.micOn = (e.target as HTMLInputElement).checked)} />
            ${t('lobby.micToggle')}
          </label>
          <label class="check">
            <input type="checkbox" name="cam-on" .checked=${this.camOn} ?disabled=${this.problems.video !== undefined}
              @change=${(e: Event) => (this.camOn = (e.target as HTMLInputElement).checked)} />
            ${t('lobby.camToggle')}
          </label>
          <label class="check">
            <input type="checkbox" name="relay-only" .checked=${this.relayOnly}
              @change=${(e: Event) => (this.relayOnly = (e.target as HTMLInputElement).checked)} />
            ${t('lobby.relayOnly')}
          </label>
          <div class="actions">
            <button class="primary" type="submit" name="join" ?disabled=${this.joinPending}>${t('lobby.join')}</button>
            <button class="secondary" type="button" name="copy" @click=${this.#handleCopy}>${t('lobby.copyLink')}</button>
            <button class="secondary" type="button" name="invite" aria-haspopup="dialog" @click=${this.#handleInvite}>${t('invite.open')}</button>
            ${
              this.hostLink
                ? html`<button class="secondary" type="button" name="copy-host" aria-describedby="host-link-hint" @click=${this.#handleCopyHost}>
                    ${t('lobby.copyHostLink')}
                  </button>`
                : null
            }
          </div>
          ${this.hostLink ? html`<p class="hint" id="host-link-hint">${t('lobby.hostLinkHint')}</p>` : null}
          <p role="status">${this.notice}</p>
        </form>
        <runde-invite .link=${this.link} .hostLink=${this.hostLink}></runde-invite>
      </div>
    `;
  }

  /**
   * A picker can be used as soon as the devices are listed with their names (at once where
   * permission was given before); without names (no permission yet) it says it is loading until
   * its device has started.
   */
  #renderPicker(kind: MediaKind) {
    const devices = kind === 'audio' ? this.devices.audioInputs : this.devices.videoInputs;
    const current = kind === 'audio' ? this.#audioDeviceId : this.#videoDeviceId;
    const label = kind === 'audio' ? t('lobby.microphone') : t('lobby.camera');
    const named = devices.some((d) => d.label);
    const loading = !named && this.starting[kind] === true;
    return html`
      <label for=${`${kind}-device`}>${label}</label>
      <select id=${`${kind}-device`} name=${`${kind}-device`} ?disabled=${loading || devices.length === 0 || (!named && !this.tracks[kind])}
        aria-busy=${loading ? 'true' : 'false'}
        @change=${(e: Event) => this.#handleDevice(kind, (e.target as HTMLSelectElement).value)}>
        ${loading ? html`<option value="">${t('lobby.devicesLoading')}</option>` : devices.length === 0 ? html`<option value="">${t('device.default')}</option>` : null}
        ${loading ? null : devices.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === current}>${d.label || t('device.unnamed', { n: i + 1 })}</option>`)}
      </select>
      ${kind === 'audio' ? html`<meter aria-label=${t('lobby.level')} min="0" max="1" low="0.1" high="0.9" optimum="0.5" .value=${this.level}></meter>` : null}
    `;
  }

  #renderProblems() {
    const lines = (Object.entries(this.problems) as Array<[MediaKind, RundeErrorCode | undefined]>)
      .filter((entry): entry is [MediaKind, RundeErrorCode] => entry[1] !== undefined)
      .map(([kind, code]) => t(`media.${code}.${kind}` as MessageKey));
    if (lines.length === 0) return null;
    if (this.problems.audio && this.problems.video) lines.push(t('lobby.listenOnly'));
    else if (this.problems.video) lines.push(t('lobby.audioOnly'));
    return html`<div class="problems" role="alert">${lines.map((l) => html`<p>${l}</p>`)}</div>`;
  }

  #handleDevice(kind: MediaKind, deviceId: string): void {
    if (kind === 'audio') this.#audioDeviceId = deviceId || null;
    else this.#videoDeviceId = deviceId || null;
    this.#start(kind);
  }

  async #handleCopy(): Promise<void> {
    this.notice = (await copyText(this.link)) ? t('lobby.linkCopied') : t('lobby.copyFailed');
  }

  /** The invitation dialog is its own chunk: most visits never open it. */
  async #handleInvite(): Promise<void> {
    await import('./invite-dialog.js');
    const dialog = this.renderRoot.querySelector('runde-invite');
    await dialog?.updateComplete;
    dialog?.show();
  }

  async #handleCopyHost(): Promise<void> {
    this.notice = (await copyText(this.hostLink)) ? t('lobby.hostLinkCopied') : t('lobby.hostLinkCopyFailed', { link: this.hostLink });
  }

  /** Join never waits for a device; while the server does not answer it waits for that (and says so). */
  #handleJoin(e: Event): void {
    e.preventDefault();
    if (this.#handedOver) return;
    if (this.serverRetryAt) this.joinPending = true;
    else this.#join();
  }

  #join(): void {
    markJoinStep('join');
    this.#handedOver = true;
    this.joinPending = false;
    this.#stopMeter();
    const pending = KINDS.flatMap((kind) => (this.starting[kind] ? (this.#pending[kind] ?? []) : []));
    // A chosen background goes with its effect: its output, or nothing until it runs.
    const camera = this.tracks.video;
    const effect =
      this.effect && this.effect.camera === camera
        ? { camera, ready: Promise.resolve(this.effect) }
        : this.effectStarting?.camera === camera
          ? this.effectStarting
          : null;
    const video = this.effect && effect ? [this.effect.output] : effect ? [] : camera ? [camera] : [];
    const ready = [...(this.tracks.audio ? [this.tracks.audio] : []), ...video];
    const detail: JoinRequest = {
      name: this.name.trim(),
      audio: this.micOn,
      video: this.camOn,
      stream: new MediaStream(ready),
      pending,
      audioDeviceId: this.#audioDeviceId,
      videoDeviceId: this.#videoDeviceId,
      relayOnly: this.relayOnly,
      background: this.background,
      effect,
    };
    this.dispatchEvent(new CustomEvent<JoinRequest>('runde-join', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-lobby': RundeLobby;
  }
}
