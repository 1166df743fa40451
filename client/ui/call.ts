/**
 * The call screen: status line, the stage (grid, speaker or presenter layout), a side panel
 * (chat, people, files), the control bar, keyboard shortcuts and the dialogs.
 *
 * @fires runde-leave - the person wants to leave
 */
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, query, state } from 'lit/decorators.js';
import { keyed } from 'lit/directives/keyed.js';
import { RundeError } from '../core/errors.js';
import { acquireScreen, canShareScreen, listDevices } from '../core/media.js';
import { LOCAL, type Meeting, type PeerView } from '../core/meeting.js';
import type { PeerId } from '../../signaling/protocol.js';
import { saveSettings } from '../core/settings.js';
import { plural, t, type MessageKey } from '../i18n/index.js';
import { callStyles } from './call-styles.js';
import './chat-panel.js';
import type { RundeChat } from './chat-panel.js';
import { copyText } from './clipboard.js';
import './controls.js';
import { REACTION_LABELS, type ControlRequest, type Panel } from './controls.js';
import './devices-dialog.js';
import type { DeviceChoice, RundeDevices } from './devices-dialog.js';
import './files-panel.js';
import './grid.js';
import './help-dialog.js';
import type { RundeHelp } from './help-dialog.js';
import { MeetingController } from './meeting-controller.js';
import './people-panel.js';
import { handOrder, peopleRows } from './people-panel.js';
import { isTyping, shortcutFor, spaceActivates } from './shortcuts.js';
import './tile.js';
import type { RundeTile } from './tile.js';

/** How long a notice (link copied, a device problem) stays in the status line. */
const NOTICE_MS = 5_000;

@customElement('runde-call')
export class RundeCall extends LitElement {
  static override styles = callStyles;

  @property({ attribute: false }) meeting: Meeting | null = null;
  /** The meeting link, for the copy button. */
  @property() link = '';
  @state() private panel: Panel = null;
  @state() private layout: 'grid' | 'speaker' = 'grid';
  @state() private notice = '';
  @state() private now = Date.now();
  @state() private sinkId = '';
  @state() private deviceError = '';
  @query('runde-help') private help!: RundeHelp;
  @query('runde-devices') private devicesDialog!: RundeDevices;
  #controller: MeetingController | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;
  #noticeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Space is held to talk while muted. */
  #talking = false;
  readonly #onKeyDown = (e: KeyboardEvent) => this.#handleKeyDown(e);
  readonly #onKeyUp = (e: KeyboardEvent) => this.#handleKeyUp(e);

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('keydown', this.#onKeyDown);
    window.addEventListener('keyup', this.#onKeyUp);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('keydown', this.#onKeyDown);
    window.removeEventListener('keyup', this.#onKeyUp);
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
  }

  protected override render() {
    const c = this.#controller;
    const m = this.meeting;
    if (!c || !m) return nothing;
    const stream = m.stream;
    return html`
      <h1 class="visually-hidden">${plural('call.participants', c.peers.length + 1)}</h1>
      ${this.#renderStatus()} ${this.#renderKnocks()}
      <div class="body" @runde-view-size=${this.#handleViewSize}>
        <main class="stage">${this.#renderStage()}</main>
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
        @runde-control=${this.#handleControl}
      ></runde-controls>
      <div class="visually-hidden" aria-live="polite">${keyed(c.announcements, html`<span>${c.announcement}</span>`)}</div>
      <runde-help></runde-help>
      <runde-devices .error=${this.deviceError} ?audio-only=${m.audioOnly}
        @runde-device=${this.#handleDevice} @runde-audio-only=${this.#handleAudioOnly}></runde-devices>
    `;
  }

  #renderStatus() {
    const c = this.#controller!;
    let text = this.notice;
    let warn = false;
    if (c.signaling === 'reconnecting') {
      const seconds = Math.max(0, Math.ceil((this.meeting!.retryAt - this.now) / 1000));
      const m = this.meeting!;
      if (m.signalingBusy) text = t('status.busy', { seconds });
      else if (m.everJoined) text = t('status.reconnecting', { seconds });
      else text = `${t('error.ERR_SIGNALING_UNREACHABLE')} ${t('status.retrying', { seconds })}`;
      warn = true;
    } else if (c.signaling === 'connecting') {
      text = t('status.connecting');
    } else if (c.ownAdmission === 'waiting') {
      text = t('lock.waiting');
    } else if (c.relayProblem) {
      text = t(`error.${c.relayProblem}`);
      warn = true;
    } else if (!text && c.peers.length === 0) {
      text = t('call.alone');
    }
    if (this.meeting!.relayOnly && !warn) text = `${t('call.relayOnly')} ${text}`;
    if (c.locked && !warn) text = `${t('lock.locked')} ${text}`;
    return html`<div class="status ${warn ? 'warn' : ''}" role="status">${text}</div>`;
  }

  #renderKnocks() {
    const c = this.#controller!;
    if (c.knocks.length === 0) return nothing;
    const m = this.meeting!;
    return html`<ul class="knocks" role="alert">
      ${c.knocks.map(
        (k) => html`<li>
          <span>${t('lock.knock', { name: k.name || t('call.guest') })}</span>
          <button class="primary" name="admit" @click=${() => m.admit(k.id)}>${t('lock.admit')}</button>
          <button class="secondary" name="decline" @click=${() => m.decline(k.id)}>${t('lock.decline')}</button>
        </li>`,
      )}
    </ul>`;
  }

  /** Presenter layout while anyone shares a screen; speaker layout on request; else the grid. */
  #renderStage() {
    const c = this.#controller!;
    const sharer = c.local.screen ? null : c.peers.find((p) => p.screen);
    const screenStream = c.local.screen ?? sharer?.screen ?? null;
    const cameraTiles = [this.#localTile(), ...c.peers.map((p) => this.#peerTile(p))];
    if (screenStream) {
      const owner = sharer ? sharer.name || t('call.guest') : t('call.you');
      return html`<runde-tile class="main" data-screen .stream=${screenStream} ?local=${!sharer}
          name=${t('call.screenOf', { name: owner })}></runde-tile>
        <runde-grid class="strip">${cameraTiles}</runde-grid>`;
    }
    const speaker = this.layout === 'speaker' ? (c.peers.find((p) => p.id === c.activeSpeaker) ?? c.peers[0]) : undefined;
    if (speaker) {
      return html`${this.#peerTile(speaker, 'main')}
        <runde-grid class="strip">${[this.#localTile(), ...c.peers.filter((p) => p !== speaker).map((p) => this.#peerTile(p))]}</runde-grid>`;
    }
    return html`<runde-grid class="all">${cameraTiles}</runde-grid>`;
  }

  #handPosition(id: string): number {
    const c = this.#controller!;
    const order = handOrder(peopleRows(c.local, c.peers, this.meeting!.quality));
    return order.findIndex((r) => r.id === id) + 1;
  }

  #localTile() {
    const c = this.#controller!;
    const stream = this.meeting!.stream;
    const reaction = c.reactions.get(LOCAL) ?? '';
    return html`<runde-tile
      data-local
      .stream=${stream}
      name=${c.local.name ? t('call.youNamed', { name: c.local.name }) : t('call.you')}
      ?muted=${!c.local.audio || stream.getAudioTracks().length === 0}
      ?video-off=${!c.local.video || stream.getVideoTracks().length === 0}
      ?speaking=${c.speaking.has(LOCAL)}
      .hand=${this.#handPosition(c.local.id)}
      .reaction=${reaction}
      .reactionLabel=${reaction ? t(REACTION_LABELS[reaction]) : ''}
      mirrored
      local
    ></runde-tile>`;
  }

  #peerTile(p: PeerView, cls = '') {
    const c = this.#controller!;
    const q = this.meeting!.quality.get(p.id);
    const reaction = c.reactions.get(p.id) ?? '';
    const detail = q ? t('quality.summary', { rtt: q.rttMs ?? '–', loss: q.lossPercent ?? '–', fps: q.fps ?? '–' }) : '';
    return html`<runde-tile
      class=${cls}
      data-peer=${p.id}
      .stream=${p.stream}
      name=${p.name || t('call.guest')}
      ?muted=${p.connected && !p.audio}
      ?video-off=${p.connected && !p.video}
      ?connecting=${!p.connected}
      peer=${p.id}
      ?video-paused=${p.videoPaused}
      ?speaking=${c.speaking.has(p.id)}
      .hand=${this.#handPosition(p.id)}
      .reaction=${reaction}
      .reactionLabel=${reaction ? t(REACTION_LABELS[reaction]) : ''}
      .quality=${q?.level ?? ''}
      .qualityDetail=${detail}
      .sinkId=${this.sinkId}
    ></runde-tile>`;
  }

  #renderPanel() {
    const c = this.#controller!;
    const m = this.meeting!;
    switch (this.panel) {
      case 'chat':
        return html`<runde-chat .chat=${m.chat} .entries=${c.chat} self=${c.local.id}></runde-chat>`;
      case 'people':
        return html`<runde-people .rows=${peopleRows(c.local, c.peers, m.quality, m.safetyCodes)} @runde-remove=${this.#handleRemove}></runde-people>`;
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
      case 'copy':
        return void this.#copyLink();
      case 'lock':
        m.setLocked(!m.locked);
        return;
      case 'leave':
        this.dispatchEvent(new CustomEvent('runde-leave', { bubbles: true, composed: true }));
        return;
    }
  }

  #handleViewSize(e: CustomEvent<{ peer: PeerId; width: number; height: number }>): void {
    this.meeting?.reportView(e.detail.peer, e.detail.width, e.detail.height);
  }

  #handleRemove(e: CustomEvent<{ id: PeerId; name: string }>): void {
    if (confirm(t('people.removeConfirm', { name: e.detail.name }))) this.meeting?.removeParticipant(e.detail.id);
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
      tiles.querySelector<RundeTile>('runde-tile[data-screen]') ??
      (c.activeSpeaker && c.activeSpeaker !== LOCAL ? tiles.querySelector<RundeTile>(`runde-tile[data-peer="${c.activeSpeaker}"]`) : null) ??
      tiles.querySelector<RundeTile>('runde-tile[data-peer]');
    try {
      if (target) await target.pictureInPicture();
      else this.#notify(t('pip.nothing'));
    } catch {
      this.#notify(t('pip.failed'));
    }
  }

  async #openDevices(): Promise<void> {
    const stream = this.meeting!.stream;
    this.devicesDialog.devices = await listDevices();
    this.devicesDialog.current = {
      audio: stream.getAudioTracks()[0]?.getSettings().deviceId,
      video: stream.getVideoTracks()[0]?.getSettings().deviceId,
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

  async #copyLink(): Promise<void> {
    this.#notify((await copyText(this.link)) ? t('lobby.linkCopied') : t('lobby.copyFailed'));
  }

  #notify(text: string): void {
    this.notice = text;
    if (this.#noticeTimer) clearTimeout(this.#noticeTimer);
    this.#noticeTimer = setTimeout(() => (this.notice = ''), NOTICE_MS);
  }

  #handleKeyDown(e: KeyboardEvent): void {
    const m = this.meeting;
    if (!m || e.repeat || this.help?.open || this.devicesDialog?.open) return;
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
