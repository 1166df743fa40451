/**
 * Before joining: own preview, microphone level, device pickers, start-muted choices, name,
 * copy link (and, for hosts, the host link), and Join. Says plainly what is missing and lets the
 * person join with what works.
 *
 * @fires runde-join - detail: JoinRequest; the lobby hands its stream over to the call
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { AudioLevel, acquireMedia, listDevices, stopStream, type Devices, type LocalMedia, type MediaKind } from '../core/media.js';
import type { Settings } from '../core/settings.js';
import { markJoinStep } from '../core/timing.js';
import { t, type MessageKey } from '../i18n/index.js';
import { copyText } from './clipboard.js';
import { buttonStyles, previewStyles } from './styles.js';

export interface JoinRequest {
  name: string;
  audio: boolean;
  video: boolean;
  stream: MediaStream;
  audioDeviceId: string | null;
  videoDeviceId: string | null;
  relayOnly: boolean;
}

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
        border: 1px solid #52606d;
        border-radius: 0.4rem;
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
        border-left: 4px solid #b3261e;
        padding: 0.25rem 0.75rem;
        margin: 1rem 0;
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
    `,
  ];

  @property() link = '';
  /** The host link, for hosts to pass on to co-hosts ('' when this person is no host). */
  @property() hostLink = '';
  /** The UI language; setting it renders the lobby again in that language. */
  @property() override lang = '';
  @property({ attribute: false }) settings: Settings | null = null;
  @state() private media: LocalMedia | null = null;
  @state() private devices: Devices = { audioInputs: [], videoInputs: [], audioOutputs: [] };
  @state() private level = 0;
  @state() private name = '';
  @state() private micOn = true;
  @state() private camOn = true;
  @state() private relayOnly = false;
  @state() private notice = '';
  @query('video') private video?: HTMLVideoElement;
  #meter: AudioLevel | null = null;
  #meterTimer: ReturnType<typeof setInterval> | null = null;
  #handedOver = false;
  #audioDeviceId: string | null = null;
  #videoDeviceId: string | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    const s = this.settings;
    this.name = s?.name ?? '';
    this.micOn = s?.micOn ?? true;
    this.camOn = s?.camOn ?? true;
    this.relayOnly = s?.relayOnly ?? false;
    this.#audioDeviceId = s?.audioDeviceId ?? null;
    this.#videoDeviceId = s?.videoDeviceId ?? null;
    void this.#acquire();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stopMeter();
    if (!this.#handedOver) stopStream(this.media?.stream ?? null);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('media') && this.video) this.video.srcObject = this.media?.stream ?? null;
  }

  async #acquire(): Promise<void> {
    const previous = this.media?.stream ?? null;
    this.#stopMeter();
    stopStream(previous);
    const media = await acquireMedia({
      audio: true,
      video: true,
      audioDeviceId: this.#audioDeviceId,
      videoDeviceId: this.#videoDeviceId,
    });
    if (!this.isConnected) return stopStream(media.stream);
    this.media = media;
    this.devices = await listDevices();
    this.#audioDeviceId = media.stream.getAudioTracks()[0]?.getSettings().deviceId ?? null;
    this.#videoDeviceId = media.stream.getVideoTracks()[0]?.getSettings().deviceId ?? null;
    if (media.stream.getAudioTracks().length > 0) {
      this.#meter = new AudioLevel(media.stream);
      this.#meterTimer = setInterval(() => (this.level = this.#meter?.read() ?? 0), LEVEL_INTERVAL_MS);
    }
  }

  #stopMeter(): void {
    if (this.#meterTimer) clearInterval(this.#meterTimer);
    this.#meterTimer = null;
    this.#meter?.close();
    this.#meter = null;
    this.level = 0;
  }

  protected override render() {
    const stream = this.media?.stream;
    const hasAudio = (stream?.getAudioTracks().length ?? 0) > 0;
    const hasVideo = (stream?.getVideoTracks().length ?? 0) > 0;
    return html`
      <h1>${t('lobby.heading')}</h1>
      <div class="layout">
        <div class="preview" role="img" aria-label=${t('lobby.preview')}>
          <video autoplay playsinline muted ?hidden=${!hasVideo || !this.camOn}></video>
          ${hasVideo && this.camOn ? null : html`<p>${t('lobby.cameraOff')}</p>`}
        </div>
        <form @submit=${this.#handleJoin}>
          ${this.#renderProblems(hasAudio, hasVideo)}
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
          ${this.#renderPicker('audio', hasAudio)} ${this.#renderPicker('video', hasVideo)}
          <label class="check">
            <input type="checkbox" name="mic-on" .checked=${this.micOn} ?disabled=${!hasAudio}
              @change=${(e: Event) => (this.micOn = (e.target as HTMLInputElement).checked)} />
            ${t('lobby.micToggle')}
          </label>
          <label class="check">
            <input type="checkbox" name="cam-on" .checked=${this.camOn} ?disabled=${!hasVideo}
              @change=${(e: Event) => (this.camOn = (e.target as HTMLInputElement).checked)} />
            ${t('lobby.camToggle')}
          </label>
          <label class="check">
            <input type="checkbox" name="relay-only" .checked=${this.relayOnly}
              @change=${(e: Event) => (this.relayOnly = (e.target as HTMLInputElement).checked)} />
            ${t('lobby.relayOnly')}
          </label>
          <div class="actions">
            <button class="primary" type="submit" name="join" ?disabled=${!this.media}>${t('lobby.join')}</button>
            <button class="secondary" type="button" name="copy" @click=${this.#handleCopy}>${t('lobby.copyLink')}</button>
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
      </div>
    `;
  }

  #renderPicker(kind: MediaKind, available: boolean) {
    const devices = kind === 'audio' ? this.devices.audioInputs : this.devices.videoInputs;
    const current = kind === 'audio' ? this.#audioDeviceId : this.#videoDeviceId;
    const label = kind === 'audio' ? t('lobby.microphone') : t('lobby.camera');
    return html`
      <label for=${`${kind}-device`}>${label}</label>
      <select id=${`${kind}-device`} name=${`${kind}-device`} ?disabled=${!available || devices.length === 0}
        @change=${(e: Event) => this.#handleDevice(kind, (e.target as HTMLSelectElement).value)}>
        ${devices.length === 0 ? html`<option value="">${t('device.default')}</option>` : null}
        ${devices.map((d, i) => html`<option value=${d.deviceId} ?selected=${d.deviceId === current}>${d.label || t('device.unnamed', { n: i + 1 })}</option>`)}
      </select>
      ${kind === 'audio' ? html`<meter aria-label=${t('lobby.level')} min="0" max="1" low="0.1" high="0.9" optimum="0.5" .value=${this.level}></meter>` : null}
    `;
  }

  #renderProblems(hasAudio: boolean, hasVideo: boolean) {
    const problems = this.media?.problems ?? {};
    const lines = (Object.entries(problems) as Array<[MediaKind, string]>).map(([kind, code]) => t(`media.${code}.${kind}` as MessageKey));
    if (lines.length === 0) return null;
    if (!hasAudio && !hasVideo) lines.push(t('lobby.listenOnly'));
    else if (!hasVideo) lines.push(t('lobby.audioOnly'));
    return html`<div class="problems" role="alert">${lines.map((l) => html`<p>${l}</p>`)}</div>`;
  }

  async #handleDevice(kind: MediaKind, deviceId: string): Promise<void> {
    if (kind === 'audio') this.#audioDeviceId = deviceId || null;
    else this.#videoDeviceId = deviceId || null;
    await this.#acquire();
  }

  async #handleCopy(): Promise<void> {
    this.notice = (await copyText(this.link)) ? t('lobby.linkCopied') : t('lobby.copyFailed');
  }

  async #handleCopyHost(): Promise<void> {
    this.notice = (await copyText(this.hostLink)) ? t('lobby.hostLinkCopied') : t('lobby.hostLinkCopyFailed', { link: this.hostLink });
  }

  #handleJoin(e: Event): void {
    e.preventDefault();
    if (!this.media) return;
    markJoinStep('join');
    this.#handedOver = true;
    this.#stopMeter();
    const detail: JoinRequest = {
      name: this.name.trim(),
      audio: this.micOn,
      video: this.camOn,
      stream: this.media.stream,
      audioDeviceId: this.#audioDeviceId,
      videoDeviceId: this.#videoDeviceId,
      relayOnly: this.relayOnly,
    };
    this.dispatchEvent(new CustomEvent<JoinRequest>('runde-join', { detail, bubbles: true, composed: true }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-lobby': RundeLobby;
  }
}
