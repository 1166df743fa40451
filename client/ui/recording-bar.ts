/**
 * Recording, as everyone sees it: a bar above the stage while anyone records ("Ada is recording"),
 * and for the one who records, the time, pause, stop, then save or discard. Starting asks first
 * (a dialog: everyone will see it, ask for their consent). The recording is the meeting as this
 * person sees it (recording-canvas.ts) with everyone's sound, written to this device only
 * (core/recording.ts); leaving while recording saves what was recorded rather than lose it.
 *
 * @fires runde-recording - detail: the sentence to show when recording starts or stops
 */
import { css, html, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { Meeting } from '../core/meeting.js';
import { Recording, recordingType, type RecordingFailure } from '../core/recording.js';
import { t, type MessageKey } from '../i18n/index.js';
import { downloadFile } from './download.js';
import { formatSize } from './format.js';
import { MeetingCanvas, type ShownTile } from './recording-canvas.js';
import { ModalElement, dialogStyles } from './modal.js';
import { buttonStyles } from './styles.js';

/** How often the elapsed time and the mixed sound sources are brought up to date. */
const TICK_MS = 1_000;
/** How long a file saved on leaving stays readable for its download before it is removed. */
const SAVE_GRACE_MS = 60_000;

const FAILURES: Record<RecordingFailure, MessageKey> = { storage: 'recording.failedStorage', recorder: 'recording.failedRecorder' };

/** Whether this browser can record a meeting (MediaRecorder writing WebM, canvas capture, Web Audio). */
export function canRecord(): boolean {
  return recordingType() !== null && typeof HTMLCanvasElement.prototype.captureStream === 'function';
}

/** "01:02:03" or "02:03". */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  const hours = Math.floor(s / 3600);
  return hours > 0 ? `${hours}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${two(Math.floor(s / 60))}:${two(s % 60)}`;
}

@customElement('runde-recording')
export class RundeRecording extends ModalElement {
  static override styles = [
    buttonStyles,
    dialogStyles,
    css`
      :host {
        display: block;
      }
      .bar {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        justify-content: center;
        gap: 0.5rem 1rem;
        padding: 0.3rem 1rem;
        background: var(--runde-danger);
        color: var(--runde-on-dark);
        font-weight: 600;
      }
      .bar.done {
        background: var(--runde-control);
      }
      .dot {
        display: inline-block;
        width: 0.75rem;
        height: 0.75rem;
        border-radius: 50%;
        background: currentColor;
        margin-right: 0.4rem;
        vertical-align: baseline;
      }
      .bar button {
        padding: 0.3rem 0.8rem;
        background: transparent;
        color: inherit;
        border-color: currentColor;
      }
      .time {
        font-variant-numeric: tabular-nums;
      }
      dialog p {
        margin: 0 0 0.75rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) meeting: Meeting | null = null;
  /** The names of the others who record now. */
  @property({ attribute: false }) others: string[] = [];
  /** The stage's place on screen, and its tiles (call.ts reads them from its own shadow tree). */
  @property({ attribute: false }) area: () => DOMRect | null = () => null;
  @property({ attribute: false }) tiles: () => ShownTile[] = () => [];

  @state() private recording: Recording | null = null;
  @state() private file: File | null = null;
  @state() private elapsedMs = 0;
  @state() private problem = '';
  /** Set while a recording starts (its file and encoder are being made): it counts as recording. */
  @state() private starting = false;
  #canvas: MeetingCanvas | null = null;
  #tick: ReturnType<typeof setInterval> | null = null;
  /** Time recorded before the current stretch (pauses left out), and when that stretch began. */
  #before = 0;
  #since = 0;
  #fileName = '';
  /** Stop was asked while starting (a host's request, the person, or leaving). */
  #stopWhenStarted = false;
  #stopping: Promise<File | null> | null = null;
  /** The waiting file was handed to the browser to save at least once. */
  #saved = false;

  /** Time recorded so far, pauses left out (brought up to date every TICK_MS). */
  get elapsed(): number {
    return this.elapsedMs;
  }

  /** The sound sources mixed into the recording now. */
  get mixed(): number {
    return this.recording?.mixed ?? 0;
  }

  /** Whether this person records now (starting, recording or paused). */
  get active(): boolean {
    return this.starting || (this.recording !== null && this.recording.state !== 'stopped');
  }

  /** Asks before recording: everyone will see it; their consent comes first. */
  ask(): void {
    if (this.active) return;
    if (this.file && !this.#saved) {
      // A new recording would replace the last one, which nobody has saved yet.
      this.problem = t('recording.saveFirst');
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLButtonElement>('button[name=save-recording]')?.focus());
      return;
    }
    this.show();
  }

  async start(): Promise<void> {
    if (this.active || !this.meeting) return;
    this.close();
    this.starting = true;
    this.#stopWhenStarted = false;
    try {
      await this.#forget();
      this.problem = '';
      const canvas = new MeetingCanvas(this.area, this.tiles);
      let recording: Recording;
      try {
        recording = await Recording.start(canvas.track);
      } catch {
        canvas.stop();
        this.problem = t('recording.startFailed');
        this.#tell(this.problem);
        return;
      }
      if (this.#stopWhenStarted || !this.isConnected) {
        // Stopped or left while it started: nothing was recorded worth keeping.
        canvas.stop();
        await recording.discard();
        return;
      }
      this.#canvas = canvas;
      this.recording = recording;
      this.#saved = false;
      this.#fileName = `${t('recording.fileName')}-${fileStamp(new Date())}.webm`;
      this.#before = 0;
      this.#since = Date.now();
      this.elapsedMs = 0;
      recording.on('changed', () => this.requestUpdate());
      recording.on('failed', (why) => void this.#stopped(FAILURES[why]));
      this.#mixSound();
      this.#tick = setInterval(() => {
        this.#mixSound();
        this.#countTime();
      }, TICK_MS);
      this.meeting.setRecording(true);
      this.#tell(t('recording.started'));
    } finally {
      this.starting = false;
    }
  }

  pause(): void {
    if (this.recording?.state !== 'recording') return;
    this.#countTime();
    this.#before = this.elapsedMs;
    this.recording.pause();
    this.#tell(t('recording.paused'));
  }

  resume(): void {
    if (this.recording?.state !== 'paused') return;
    this.#since = Date.now();
    this.recording.resume();
    this.#tell(t('recording.resumed'));
  }

  /**
   * Stops recording; the file waits to be saved (returned for tests). `quietly`: the caller tells
   * the person itself (a host's request says why it stopped).
   */
  async stop(quietly = false): Promise<File | null> {
    if (this.starting) {
      this.#stopWhenStarted = true;
      return null;
    }
    if (this.#stopping) return this.#stopping;
    if (!this.active) return this.file;
    return this.#stopped('', quietly);
  }

  save(): void {
    if (!this.file) return;
    downloadFile(this.file, this.file.name, SAVE_GRACE_MS);
    this.#saved = true;
    this.problem = t('recording.saved');
  }

  async discard(): Promise<void> {
    const recording = this.recording;
    const saved = this.#saved;
    this.recording = null;
    this.file = null;
    this.problem = '';
    // A download just started reads the file from disk: it is removed once that had time.
    if (recording) setTimeout(() => void recording.discard(), saved ? SAVE_GRACE_MS : 0);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.starting) this.#stopWhenStarted = true;
    // Leaving the call: what was recorded is saved, never silently lost.
    const recording = this.recording;
    if (!recording) return;
    void (async () => {
      if (this.active) await this.#stopped('', true);
      if (this.file && !this.#saved) this.save();
      setTimeout(() => void recording.discard(), SAVE_GRACE_MS);
    })();
  }

  protected override render() {
    return html`${this.#renderBar()}
      <dialog aria-labelledby="record-title" aria-describedby="record-text">
        <h2 id="record-title">${t('recording.askTitle')}</h2>
        <p id="record-text">${t('recording.askText')}</p>
        <div class="actions">
          <button class="primary" type="button" name="start-recording" @click=${() => void this.start()}>${t('recording.start')}</button>
          <button class="secondary" type="button" name="cancel" @click=${() => this.close()}>${t('action.cancel')}</button>
        </div>
      </dialog>`;
  }

  #renderBar() {
    const own = this.recording;
    const others = this.others.length ? html`<span class="others">${this.#othersText()}</span>` : nothing;
    if (own && own.state !== 'stopped') {
      const paused = own.state === 'paused';
      // One button that changes its name, so that the focus stays on it.
      return html`<div class="bar" data-own>
        <span><span class="dot" aria-hidden="true"></span>${paused ? t('recording.paused') : t('recording.you')}
          <span class="time">${formatElapsed(this.elapsedMs)}</span></span>
        ${others}
        <button type="button" name="pause-recording" @click=${() => (paused ? this.resume() : this.pause())}>${paused ? t('recording.resume') : t('recording.pause')}</button>
        <button type="button" name="stop-recording" @click=${() => void this.#stopByPerson()}>${t('recording.stop')}</button>
      </div>`;
    }
    const waiting = this.file
      ? html`<span>${this.problem || t('recording.ready', { size: formatSize(this.file.size) })}</span>
          <button type="button" name="save-recording" @click=${() => this.save()}>${t('recording.save')}</button>
          <button type="button" name="discard-recording" @click=${() => void this.discard()}>${t('recording.discard')}</button>`
      : this.problem
        ? html`<span>${this.problem}</span>
            ${own ? html`<button type="button" name="discard-recording" @click=${() => void this.discard()}>${t('recording.dismiss')}</button>` : nothing}`
        : nothing;
    return html`${this.others.length ? html`<div class="bar" data-others><span class="dot" aria-hidden="true"></span>${others}</div>` : nothing}
      <div class="bar done" data-ready role="status" ?hidden=${waiting === nothing}>${waiting}</div>`;
  }

  /** Stop from the bar: the focus goes to "save", which takes the stop button's place. */
  async #stopByPerson(): Promise<void> {
    await this.stop();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('button[name=save-recording], button[name=discard-recording]')?.focus();
  }

  #othersText(): string {
    const names = this.others.map((n) => n || t('call.guest'));
    return names.length === 1 ? t('recording.other', { name: names[0]! }) : t('recording.others', { names: names.join(', ') });
  }

  #countTime(): void {
    if (this.recording?.state === 'recording') this.elapsedMs = this.#before + (Date.now() - this.#since);
  }

  /** Everyone's sound: our microphone, each person's camera stream and shared screen. */
  #mixSound(): void {
    const m = this.meeting;
    if (!m || !this.recording || this.recording.state === 'stopped') return;
    const streams = [m.stream, ...[...m.peers.values()].flatMap((p) => [p.stream, p.screen].filter((s): s is MediaStream => s !== null))];
    this.recording.setAudio(streams);
  }

  #stopped(problem: MessageKey | '', quietly = false): Promise<File | null> {
    this.#stopping ??= this.#finish(problem, quietly).finally(() => (this.#stopping = null));
    return this.#stopping;
  }

  async #finish(problem: MessageKey | '', quietly: boolean): Promise<File | null> {
    const recording = this.recording;
    if (!recording) return null;
    this.#countTime();
    if (this.#tick) clearInterval(this.#tick);
    this.#tick = null;
    this.#canvas?.stop();
    this.#canvas = null;
    this.meeting?.setRecording(false);
    try {
      this.file = await recording.stop(this.#fileName);
      this.problem = problem ? t(problem) : '';
    } catch {
      // Storage failed: what was written cannot be read back (file-sink.ts); the bar says so.
      this.file = null;
      this.problem = t('recording.failedStorage');
    }
    if (!quietly) this.#tell(this.problem || t('recording.stopped'));
    return this.file;
  }

  /** What the call's status line says (and screen readers read): started, stopped, or why it stopped. */
  #tell(sentence: string): void {
    this.dispatchEvent(new CustomEvent('runde-recording', { detail: sentence, bubbles: true, composed: true }));
  }

  /** Drops the current recording and its file (nothing saved is waiting: see ask). */
  async #forget(): Promise<void> {
    const recording = this.recording;
    this.recording = null;
    this.file = null;
    if (recording) await recording.discard();
  }
}

/** 2026-12-07-0930 in local time, for the file name. */
function fileStamp(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}-${two(d.getHours())}${two(d.getMinutes())}`;
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-recording': RundeRecording;
  }
}
