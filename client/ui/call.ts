/**
 * The call screen: status line (call-status.ts), for hosts the knocks at the lock, the stage
 * (call-stage.ts: grid, speaker or presenter layout), a side panel (chat, people, files), the
 * control bar, keyboard shortcuts and the dialogs, and what each control asks the meeting to do.
 * Until the meeting lets us in, the waiting screen instead (waiting-room.ts).
 *
 * @fires runde-leave - the person wants to leave
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { RundeError } from '../core/errors.js';
import { acquireScreen, canShareScreen, listDevices } from '../core/media.js';
import { LOCAL, type Background, type Meeting } from '../core/meeting.js';
import { saveSettings } from '../core/settings.js';
import { plural, t, type MessageKey } from '../i18n/index.js';
import { callStyles } from './call-styles.js';
import './chat-panel.js';
import { playChime } from './chime.js';
import type { RundeChat } from './chat-panel.js';
import { renderPresenting, renderStage } from './call-stage.js';
import { signalingStatus, statusLine } from './call-status.js';
import './controls.js';
import type { ControlRequest, Panel } from './controls.js';
import './devices-dialog.js';
import type { DeviceChoice, RundeDevices } from './devices-dialog.js';
import './files-panel.js';
import './help-dialog.js';
import type { RundeHelp } from './help-dialog.js';
import './invite-dialog.js';
import type { RundeInvite } from './invite-dialog.js';
import { canRecord, type RundeRecording } from './recording-bar.js';
import type { ShownTile } from './recording-canvas.js';
import './knock-notice.js';
import type { AdmissionRequest } from './knock-notice.js';
import { MeetingController } from './meeting-controller.js';
import './people-panel.js';
import { peopleRows } from './people-panel.js';
import type { HostAction } from './person-menu.js';
import { isTyping, shortcutFor, spaceActivates } from './shortcuts.js';
import './tile.js';
import type { RundeTile, ViewSize } from './tile.js';
import './waiting-room.js';

/** How long a notice (link copied, a device problem) stays in the status line. */
const NOTICE_MS = 5_000;
/** A phone-sized screen: tiles fill the space and the own view floats small over them (like Meet). */
const PHONE_QUERY = '(max-width: 40rem)';

@customElement('runde-call')
export class RundeCall extends LitElement {
  static override styles = callStyles;

  @property({ attribute: false }) meeting: Meeting | null = null;
  /** The meeting link (the participant link), for the copy button. */
  @property() link = '';
  /** The host link, for hosts to pass on to co-hosts ('' when we are no host). */
  @property() hostLink = '';
  @state() private panel: Panel = null;
  @state() private layout: 'grid' | 'speaker' = 'grid';
  @state() private notice = '';
  @state() private now = Date.now();
  @state() private sinkId = '';
  @state() private deviceError = '';
  @state() private phone = matchMedia(PHONE_QUERY).matches;
  readonly #phoneQuery = matchMedia(PHONE_QUERY);
  readonly #onPhoneChange = () => (this.phone = this.#phoneQuery.matches);
  @query('runde-help') private help!: RundeHelp;
  @query('runde-invite') private invite!: RundeInvite;
  @query('runde-recording') private recorder!: RundeRecording;
  @query('runde-devices') private devicesDialog!: RundeDevices;
  #controller: MeetingController | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;
  #noticeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Space is held to talk while muted. */
  #talking = false;
  /** What the last render showed: the waiting screen, or the call (for where the focus goes). */
  #wasWaiting: boolean | null = null;
  /** The controller's counts already acted on: knocks chimed for, notices shown. */
  #chimed = 0;
  #noticed = 0;
  #stopAsked = 0;
  /** Knockers listed at the last render (the focus leaves the list when it empties). */
  #knocksShown = 0;
  readonly #onKeyDown = (e: KeyboardEvent) => this.#handleKeyDown(e);
  readonly #onKeyUp = (e: KeyboardEvent) => this.#handleKeyUp(e);

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.#onKeyDown);
    window.addEventListener('keyup', this.#onKeyUp);
    this.#phoneQuery.addEventListener('change', this.#onPhoneChange);
    this.phone = this.#phoneQuery.matches;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.#onKeyDown);
    window.removeEventListener('keyup', this.#onKeyUp);
    this.#phoneQuery.removeEventListener('change', this.#onPhoneChange);
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('meeting') && this.meeting && this.#controller?.meeting !== this.meeting) {
      if (this.#controller) this.removeController(this.#controller);
      this.#controller = new MeetingController(this, this.meeting);
    }
    const reconnecting = this.#controller?.signaling === 'reconnecting';
    if (reconnecting && !this.#ticker) this.#ticker = setInterval(() => (this.now = Date.now()), 1000);
    if (!reconnecting && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = null;
    }
    const c = this.#controller;
    if (c && c.notices !== this.#noticed) {
      this.#noticed = c.notices;
      this.#notify(c.notice);
    }
    if (c && c.stopRecordingAsks !== this.#stopAsked) {
      // A host asked: our own browser stops the recording (what was recorded stays to be saved).
      this.#stopAsked = c.stopRecordingAsks;
      void this.recorder?.stop(true);
    }
  }

  protected override updated(): void {
    const c = this.#controller;
    if (!c) return;
    if (c.knockArrivals !== this.#chimed) {
      this.#chimed = c.knockArrivals;
      playChime(this.sinkId);
    }
    const waiting = this.#waiting();
    const knocks = this.meeting?.isHost ? c.knocks.length : 0;
    // Let in (the waiting screen went), or the last knock dealt with (its buttons went): the focus
    // would fall to the page; the call's heading takes it. (The waiting screen focuses its own.)
    const lost = !this.shadowRoot?.activeElement && document.activeElement === document.body;
    if ((this.#wasWaiting && !waiting) || (this.#knocksShown > 0 && knocks === 0 && lost)) this.#focusHeading();
    this.#wasWaiting = waiting;
    this.#knocksShown = knocks;
  }

  #waiting(): boolean {
    const own = this.#controller?.ownAdmission;
    return own === 'checking' || own === 'waiting';
  }

  #focusHeading(): void {
    const heading = this.renderRoot.querySelector<HTMLElement>('h1');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }

  protected override render() {
    const c = this.#controller;
    const m = this.meeting;
    if (!c || !m) return nothing;
    if (this.#waiting()) return this.#renderWaiting();
    const stream = m.stream;
    return html`
      <h1 class="visually-hidden">${plural('call.participants', c.peers.length + 1)}</h1>
      ${this.#renderStatus()}
      <runde-recording class="recording" .meeting=${m} .others=${c.peers.filter((p) => p.recording).map((p) => p.name)}
        .area=${this.#stageArea} .tiles=${this.#shownTiles} @runde-recording=${this.#handleRecording}></runde-recording>
      ${m.isHost ? html`<runde-knocks class="knocks" .knocks=${c.knocks} @runde-admission=${this.#handleAdmission}></runde-knocks>` : nothing}
      <div class="body" @runde-view-size=${this.#handleViewSize}>
        <main class="stage ${c.local.screen ? 'sharing' : ''}">
          ${c.local.screen ? renderPresenting(m, c.local.screen) : nothing}
          ${renderStage({ c, m, layout: this.layout, phone: this.phone, sinkId: this.sinkId })}
          ${c.toast ? keyed(c.toasts, html`<div class="toast" aria-hidden="true">${c.toast}</div>`) : nothing}
        </main>
        ${this.panel ? html`<aside class="panel" aria-label=${t(`controls.${this.panel}`)}>${this.#renderPanel()}</aside>` : nothing}
      </div>
      <runde-controls
        role="toolbar"
        aria-label=${t('controls.label')}
        ?audio=${c.local.audio}
        ?video=${c.local.video}
        ?has-audio=${stream.getAudioTracks().length > 0}
        ?has-video=${stream.getVideoTracks().length > 0}
        ?sharing=${c.local.screen !== null}
        ?can-share=${canShareScreen()}
        ?hand=${c.local.hand !== null}
        .panel=${this.panel}
        .unread=${c.unread}
        .layout=${this.layout}
        ?locked=${c.locked}
        ?host=${m.isHost}
        ?can-record=${canRecord()}
        ?recording=${c.local.recording}
        @runde-control=${this.#handleControl}
      ></runde-controls>
      <div class="visually-hidden" aria-live="polite">${keyed(c.announcements, html`<span>${c.announcement}</span>`)}</div>
      <runde-help></runde-help>
      <runde-invite .link=${this.link} .hostLink=${this.hostLink}></runde-invite>
      <runde-devices .error=${this.deviceError} ?audio-only=${m.audioOnly} .background=${m.background}
        @runde-device=${this.#handleDevice} @runde-audio-only=${this.#handleAudioOnly} @runde-background=${this.#handleBackground}></runde-devices>
    `;
  }

  /** Not in yet: asking the others, or waiting at the lock for a host. */
  #renderWaiting() {
    const c = this.#controller!;
    const m = this.meeting!;
    const locked = c.ownAdmission === 'waiting';
    const signaling = signalingStatus(c, m, this.now);
    const checking = c.waitingForAnswers ? t('waiting.slowAnswers') : t('waiting.checking');
    const message = signaling?.text ?? (!locked ? checking : c.hostPresent ? t('waiting.forHost') : t('waiting.noHost'));
    return html`<runde-waiting
      class="waiting"
      .stream=${m.stream}
      name=${c.local.name}
      ?video=${c.local.video && m.stream.getVideoTracks().length > 0}
      ?camera-starting=${c.local.video && m.stream.getVideoTracks().length === 0}
      ?locked=${locked}
      message=${message}
      ?warn=${signaling?.warn ?? false}
    ></runde-waiting>`;
  }

  #renderStatus() {
    const { text, warn } = statusLine(this.#controller!, this.meeting!, this.now, this.notice);
    return html`<div class="status ${warn ? 'warn' : ''}" role="status">${text}</div>`;
  }

  #renderPanel() {
    const c = this.#controller!;
    const m = this.meeting!;
    switch (this.panel) {
      case 'chat':
        return html`<runde-chat .chat=${m.chat} .entries=${c.chat} self=${c.local.id}></runde-chat>`;
      case 'people': {
        // Named as on the tiles: a peer not connected yet by the name its hello said.
        const named = c.peers.map((p) => ({ ...p, name: m.nameOf(p.id) }));
        return html`<runde-people .rows=${peopleRows(c.local, named, m.quality, m.safetyCodes, c.hosts)} ?moderate=${m.isHost}
          @runde-host-action=${this.#handleHostAction}></runde-people>`;
      }
      case 'files':
        return html`<runde-files .transfers=${m.files} .peers=${c.peers.map((p) => ({ id: p.id, name: p.name || t('call.guest') }))}></runde-files>`;
      default:
        return nothing;
    }
  }

  #handleControl(e: CustomEvent<ControlRequest>): void {
    const m = this.meeting;
    if (!m) return;
    switch (e.detail.action) {
      case 'mic':
        return m.setAudio(!m.local.audio);
      case 'cam':
        return m.setVideo(!m.local.video);
      case 'hand':
        return m.setHand(m.local.hand === null);
      case 'react':
        if (e.detail.emoji) m.react(e.detail.emoji);
        return;
      case 'screen':
        return void this.#toggleScreen();
      case 'chat':
      case 'people':
      case 'files':
        return this.#togglePanel(e.detail.action);
      case 'layout':
        this.layout = this.layout === 'grid' ? 'speaker' : 'grid';
        return;
      case 'pip':
        return void this.#pictureInPicture();
      case 'devices':
        return void this.#openDevices();
      case 'help':
        return this.help.show();
      case 'invite':
        return this.invite.show();
      case 'record':
        return this.recorder.active ? void this.recorder.stop() : this.recorder.ask();
      case 'lock':
        m.setLocked(!m.locked);
        return;
      case 'leave':
        this.dispatchEvent(new CustomEvent('runde-leave', { bubbles: true, composed: true }));
        return;
    }
  }

  #handleViewSize(e: CustomEvent<ViewSize>): void {
    this.meeting?.reportView(e.detail.peer, e.detail.width, e.detail.height, e.detail.role);
  }

  /** A host's choice in the people panel (the core ignores it from anyone without the host key). */
  #handleHostAction(e: CustomEvent<HostAction>): void {
    const m = this.meeting;
    const { action, id, name } = e.detail;
    if (!m) return;
    if (id === '*') {
      m.askToMute('*');
      this.#notify(t('host.mutedAll'));
    } else if (action === 'mute') {
      m.askToMute(id);
      this.#notify(t('host.mutedOne', { name }));
    } else if (action === 'lower-hand') {
      m.askToLowerHand(id);
    } else if (action === 'stop-recording') {
      m.askToStopRecording(id);
      this.#notify(t('host.askedToStopRecording', { name }));
    } else if (confirm(t('people.removeConfirm', { name }))) {
      m.removeParticipant(id);
    }
  }

  #handleAdmission(e: CustomEvent<AdmissionRequest>): void {
    const m = this.meeting;
    for (const id of e.detail.ids) {
      if (e.detail.action === 'admit') m?.admit(id);
      else m?.decline(id);
    }
  }

  #togglePanel(panel: Exclude<Panel, null>): void {
    this.panel = this.panel === panel ? null : panel;
    this.#controller?.setChatOpen(this.panel === 'chat');
    if (this.panel === 'chat') void this.updateComplete.then(() => this.renderRoot.querySelector<RundeChat>('runde-chat')?.focus());
  }

  async #toggleScreen(): Promise<void> {
    const m = this.meeting!;
    if (m.local.screen) return m.stopScreenShare();
    try {
      m.shareScreen(await acquireScreen());
    } catch (err) {
      // Cancelling the browser's picker is a choice, not an error.
      if (err instanceof RundeError && err.code !== 'ERR_MEDIA_DENIED') this.#notify(t('share.failed'));
    }
  }

  async #pictureInPicture(): Promise<void> {
    const c = this.#controller!;
    const tiles = this.renderRoot;
    const target =
      tiles.querySelector<RundeTile>('runde-tile[data-screen]:not([data-own-screen])') ??
      (c.activeSpeaker && c.activeSpeaker !== LOCAL ? tiles.querySelector<RundeTile>(`runde-tile[data-peer="${c.activeSpeaker}"]`) : null) ??
      tiles.querySelector<RundeTile>('runde-tile[data-peer]');
    try {
      if (target) await target.pictureInPicture();
      else this.#notify(t('pip.nothing'));
    } catch {
      this.#notify(t('pip.failed'));
    }
  }

  /**
   * A background chosen in the devices dialog: applied (its segmenter may take a moment to load
   * the first time), then remembered; one that fails is said in the status line and the dialog.
   */
  async #handleBackground(e: CustomEvent<Background>): Promise<void> {
    const m = this.meeting;
    if (!m) return;
    const choice = e.detail;
    this.deviceError = '';
    if (choice !== 'none') this.#notify(t('background.starting'));
    try {
      await m.setBackground(choice);
      if (this.notice === t('background.starting')) this.#notify('');
      await saveSettings({ background: choice });
    } catch {
      this.deviceError = t('background.failed');
      this.#notify(t('background.failed'));
    }
    this.requestUpdate();
  }

  async #openDevices(): Promise<void> {
    const stream = this.meeting!.stream;
    this.devicesDialog.devices = await listDevices();
    this.devicesDialog.current = {
      audio: stream.getAudioTracks()[0]?.getSettings().deviceId,
      video: this.meeting!.camera?.getSettings().deviceId,
      output: this.sinkId || 'default',
    };
    this.deviceError = '';
    this.devicesDialog.show();
  }

  async #handleDevice(e: CustomEvent<DeviceChoice>): Promise<void> {
    const { kind, deviceId } = e.detail;
    if (kind === 'output') {
      this.sinkId = deviceId;
      return;
    }
    try {
      await this.meeting!.useDevice(kind, deviceId);
      this.deviceError = '';
      await saveSettings(kind === 'audio' ? { audioDeviceId: deviceId } : { videoDeviceId: deviceId });
    } catch (err) {
      const code = err instanceof RundeError ? err.code : 'ERR_MEDIA_FAILED';
      this.deviceError = t(`media.${code}.${kind}` as MessageKey);
    }
  }

  #handleAudioOnly(e: CustomEvent<boolean>): void {
    this.meeting?.setAudioOnly(e.detail);
    this.requestUpdate();
  }

  /** The stage on screen, which a recording draws (recording-canvas.ts). */
  readonly #stageArea = (): DOMRect | null => this.renderRoot.querySelector('main.stage')?.getBoundingClientRect() ?? null;

  /** The stage's tiles as they are on screen now: place, video (unless hidden) and name. */
  readonly #shownTiles = (): ShownTile[] =>
    [...this.renderRoot.querySelectorAll<RundeTile>('main.stage runde-tile')].map((tile) => {
      const video = tile.shadowRoot?.querySelector('video') ?? null;
      return { rect: tile.getBoundingClientRect(), video: video && !video.hidden ? video : null, name: tile.name };
    });

  #handleRecording(e: CustomEvent<string>): void {
    this.#notify(e.detail);
  }

  #notify(text: string): void {
    this.notice = text;
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.notice = ''), NOTICE_MS);
  }

  #handleKeyDown(e: KeyboardEvent): void {
    const m = this.meeting;
    // No shortcuts on the waiting screen: it has no controls to act on.
    if (!m || e.repeat || this.#waiting() || this.help?.open || this.devicesDialog?.open) return;
    if (e.key === 'Escape' && this.panel && !e.defaultPrevented) {
      // Escape closes the side panel, as it closes dialogs, and focus goes back to its button.
      e.preventDefault();
      const panel = this.panel;
      this.#togglePanel(panel);
      this.renderRoot.querySelector('runde-controls')?.focusButton(panel);
      return;
    }
    if (e.key === ' ' && !isTyping(e) && !spaceActivates(e) && !m.local.audio) {
      e.preventDefault();
      this.#talking = true;
      m.setAudio(true);
      return;
    }
    const action = shortcutFor(e);
    if (!action) return;
    e.preventDefault();
    this.#handleControl(new CustomEvent('runde-control', { detail: { action } }));
  }

  #handleKeyUp(e: KeyboardEvent): void {
    if (e.key !== ' ' || !this.#talking) return;
    this.#talking = false;
    this.meeting?.setAudio(false);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-call': RundeCall;
  }
}
