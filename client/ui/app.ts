/**
 * The whole app: start page → lobby → call → left, or a sentence for an error that stops it.
 * The URL fragment holds the meeting secret; it never leaves the browser.
 */
import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import type { RundeErrorCode } from '../core/errors.js';
import { hasWebRtc } from '../core/media.js';
import type { Meeting } from '../core/meeting.js';
import { meetingKeys } from '../core/crypto.js';
import { newVisitIdentity } from '../core/visit-identity.js';
import { canVerifyHosts, hostKeyFrom, newHostSecret, type HostKey } from '../core/host-key.js';
import { defaultRuntimeConfig, fetchRuntimeConfig, type RuntimeConfig } from '../core/runtime-config.js';
import { HOST_LINK_PREFIX, hostLinkFor, linkFor, parseMeetingLink, roomIdFor } from '../core/room-link.js';
import { loadSettings, rememberHost, rememberedHost, saveSettings, type Settings } from '../core/settings.js';
import { language, pickLanguage, setLanguage, t, type Language, type MessageKey } from '../i18n/index.js';
import { applyBrandColour } from './brand.js';
import './language-picker.js';
import './lobby.js';
import type { JoinRequest } from './lobby.js';
import './start-page.js';
import { buttonStyles, linkStyles } from './styles.js';

type View = 'loading' | 'start' | 'lobby' | 'call' | 'left' | 'error';

/** How often, while the app's host does not answer, it is asked again. */
const SERVER_CHECK_MS = 5_000;

/**
 * The call's code, fetched while the person is in the lobby (see call-bundle.ts). The service
 * worker keeps it with the app shell (every script of the build), so it loads while the server
 * is down too.
 */
const loadCall = () => import('./call-bundle.js');

@customElement('runde-app')
export class RundeApp extends LitElement {
  static override styles = [
    buttonStyles,
    linkStyles,
    css`
      :host {
        display: block;
        height: 100%;
      }
      .message {
        max-width: 40rem;
        margin: 0 auto;
        padding: 2rem 1rem;
      }
      .message p {
        font-size: 1.15rem;
      }
      .actions {
        display: flex;
        gap: 0.75rem;
        flex-wrap: wrap;
      }
      header {
        display: flex;
        justify-content: flex-end;
        padding: 0.5rem 1rem 0;
      }
      footer {
        max-width: 40rem;
        margin: 0 auto;
        padding: 1rem;
      }
    `,
  ];

  @state() private view: View = 'loading';
  @state() private errorCode: RundeErrorCode | null = null;
  @state() private startError = '';
  @state() private meeting: Meeting | null = null;
  /** While the app's host does not answer: when it is asked next (ms since epoch); else 0. */
  @state() private serverRetryAt = 0;
  #settings: Settings | null = null;
  /** The meeting secret (the participant link's fragment). */
  #secret = '';
  /** Host rights: from the host link, or remembered in this browser for this meeting. */
  #host: HostKey | null = null;
  /** Counts routings, so that a slow one (deriving a host key) does not win over a newer one. */
  #routing = 0;
  readonly #onHashChange = () => this.#route();
  readonly #onOnline = () => {
    if (!this.#reachable) void this.#checkServer();
  };
  readonly #onPageHide = () => this.meeting?.leave();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('hashchange', this.#onHashChange);
    window.addEventListener('pagehide', this.#onPageHide);
    window.addEventListener('online', this.#onOnline);
    void this.#init();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.#onHashChange);
    window.removeEventListener('pagehide', this.#onPageHide);
    window.removeEventListener('online', this.#onOnline);
    if (this.#serverCheck) clearTimeout(this.#serverCheck);
  }

  /** The app's host answered the last check. */
  #reachable = true;
  #config: RuntimeConfig | null = null;
  /** While the host does not answer: the next check. */
  #serverCheck: ReturnType<typeof setTimeout> | null = null;

  async #init(): Promise<void> {
    // One request tells both whether the app's host answers and what the deployment set.
    // (When it does not, navigator.onLine tells an offline browser from a server that is down;
    // alone it is no help: browsers say "offline" on a machine with only a loopback network.)
    const config = fetchRuntimeConfig(location);
    this.#settings = await loadSettings();
    const fetched = await config;
    this.#reachable = fetched !== null;
    this.#config = fetched ?? defaultRuntimeConfig(location);
    applyBrandColour(this.#config.brand?.colour);
    const query = new URLSearchParams(location.search).get('lang');
    const lang = pickLanguage(query, this.#settings.lang, navigator.languages ?? []);
    await setLanguage(lang);
    if (query && query === lang) this.#settings = await saveSettings({ lang });
    this.#route();
  }

  #route(): void {
    const routing = ++this.#routing;
    if (this.view === 'call') this.#endCall();
    this.startError = '';
    if (!hasWebRtc()) return this.#showError('ERR_NO_WEBRTC');
    if (!this.#reachable) {
      // Started from the kept app shell. The 'online' event may never come (or come early).
      this.#scheduleServerCheck();
      // Only an offline browser is offline: a server that is down sends the person on to the
      // lobby, which says so and counts down to the next check (the others may still be talking).
      if (navigator.onLine === false) return this.#showError('ERR_OFFLINE');
    }
    const fragment = location.hash.slice(1);
    if (!fragment) {
      this.view = 'start';
      return;
    }
    const link = parseMeetingLink(fragment);
    if (!link) return this.#showError('ERR_LINK_INVALID');
    void this.#openMeeting(link, routing);
  }

  /**
   * A host link becomes host rights remembered here plus the participant link in the address bar
   * (so that a shared screen or a copied address never hands out host rights); a participant
   * link picks up host rights this browser remembers for its meeting.
   */
  async #openMeeting(link: ReturnType<typeof parseMeetingLink> & {}, routing: number): Promise<void> {
    let host: HostKey | null = null;
    try {
      if (link.hostSecret !== undefined) host = await hostKeyFrom(link.hostSecret);
      const secret = host?.meetingSecret ?? link.secret ?? '';
      const room = await roomIdFor(secret);
      if (host) await rememberHost(room, host.secret);
      else {
        const remembered = await rememberedHost(room);
        const candidate = remembered ? await hostKeyFrom(remembered) : null;
        if (candidate?.meetingSecret === secret) host = candidate;
      }
      if (routing !== this.#routing) return;
      if (link.hostSecret !== undefined) history.replaceState(null, '', `#${secret}`);
      this.#secret = secret;
      this.#host = host;
    } catch {
      // No Ed25519 in this browser: a host link cannot work here; a participant link still does.
      if (routing !== this.#routing) return;
      if (link.secret === undefined || !(await canVerifyHosts().catch(() => false))) return this.#showError('ERR_BROWSER_TOO_OLD');
      this.#secret = link.secret;
      this.#host = null;
    }
    this.view = 'lobby';
    void loadCall().catch(() => {}); // fetched again (with an error shown) when Join needs it
  }

  #scheduleServerCheck(): void {
    if (this.#serverCheck) clearTimeout(this.#serverCheck);
    this.serverRetryAt = Date.now() + SERVER_CHECK_MS;
    this.#serverCheck = setTimeout(() => void this.#checkServer(), SERVER_CHECK_MS);
  }

  /**
   * Asks the app's host again, for its config.json (the first read fell back to the box beside
   * the app), before the lobby hears that it is back.
   */
  async #checkServer(): Promise<void> {
    if (this.#serverCheck) clearTimeout(this.#serverCheck);
    this.#serverCheck = null;
    const offlinePage = () => this.view === 'error' && this.errorCode === 'ERR_OFFLINE';
    const fetched = await fetchRuntimeConfig(location);
    if (fetched) {
      this.#config = fetched;
      this.#reachable = true;
      this.serverRetryAt = 0;
      if (offlinePage()) this.#route();
      return;
    }
    // Back online, but the server still does not answer: from the offline page to the lobby.
    if (offlinePage() && navigator.onLine !== false) return this.#route();
    this.#scheduleServerCheck();
  }

  #showError(code: RundeErrorCode): void {
    this.errorCode = code;
    this.view = 'error';
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    const before = changed.get('view');
    if (changed.has('view') && before !== undefined && before !== 'loading') void this.#focusView();
  }

  /**
   * After a change of screen the focus would fall to the page's body (the focused element was
   * removed). It goes to the new screen's heading instead, so that a screen reader says where
   * the person is and Tab starts at the top; on an error screen, to the button that helps.
   */
  async #focusView(): Promise<void> {
    const view = this.renderRoot.querySelector<LitElement>('runde-start, runde-lobby, runde-call');
    await view?.updateComplete;
    const root = view?.renderRoot ?? this.renderRoot;
    const target = root.querySelector<HTMLElement>('h1') ?? root.querySelector<HTMLElement>('.message button.primary');
    if (!target) return;
    if (target.tagName === 'H1') target.tabIndex = -1;
    target.focus();
  }

  protected override render() {
    if (this.view === 'loading' || this.view === 'call') return this.#renderView();
    return html`<header><runde-language .current=${language()} @runde-language=${this.#handleLanguage}></runde-language></header>
      <main>${this.#renderView()}</main>
      ${this.#renderFooter()}`;
  }

  /** The statement opens beside the lobby, so that the camera and the typed name stay. */
  #renderFooter() {
    const href = `accessibility.html?lang=${language()}`;
    return html`<footer>${
      this.view === 'lobby'
        ? html`<a href=${href} target="_blank" rel="noopener">${t('statement.linkNewTab')}</a>`
        : html`<a href=${href}>${t('statement.link')}</a>`
    }</footer>`;
  }

  async #handleLanguage(e: CustomEvent<Language>): Promise<void> {
    await setLanguage(e.detail);
    this.#settings = await saveSettings({ lang: e.detail });
    this.requestUpdate();
  }

  #renderView() {
    switch (this.view) {
      case 'loading':
        return null;
      case 'start':
        return html`<runde-start
          .lang=${language()}
          .error=${this.startError}
          .brand=${this.#config?.brand ?? null}
          @runde-create=${() => (location.hash = HOST_LINK_PREFIX + newHostSecret())}
          @runde-open-link=${this.#handleOpenLink}
        ></runde-start>`;
      case 'lobby':
        return html`<runde-lobby
          .lang=${language()}
          .link=${linkFor(this.#secret)}
          .hostLink=${this.#host ? hostLinkFor(this.#host.secret) : ''}
          .settings=${this.#settings}
          .serverRetryAt=${this.serverRetryAt}
          @runde-join=${this.#handleJoin}
          @runde-retry-server=${() => void this.#checkServer()}
        ></runde-lobby>`;
      case 'call':
        return html`<runde-call
          .meeting=${this.meeting}
          .link=${linkFor(this.#secret)}
          .hostLink=${this.#host ? hostLinkFor(this.#host.secret) : ''}
          @runde-leave=${this.#handleLeave}
        ></runde-call>`;
      case 'left':
        return html`<div class="message">
          <h1>${t('left.heading')}</h1>
          <div class="actions">
            <button class="primary" @click=${() => (this.view = 'lobby')}>${t('left.rejoin')}</button>
            <button class="secondary" @click=${this.#goHome}>${t('action.home')}</button>
          </div>
        </div>`;
      case 'error':
        return html`<div class="message" role="alert">
          <p>${t(`error.${this.errorCode}` as MessageKey)}</p>
          <div class="actions">
            <button class="primary" @click=${() => location.reload()}>${t('action.reload')}</button>
            <button class="secondary" @click=${this.#goHome}>${t('action.home')}</button>
          </div>
        </div>`;
    }
  }

  #handleOpenLink(e: CustomEvent<string>): void {
    const link = parseMeetingLink(e.detail);
    if (link) location.hash = link.secret ?? HOST_LINK_PREFIX + link.hostSecret;
    else this.startError = t('error.ERR_LINK_INVALID');
  }

  async #handleJoin(e: CustomEvent<JoinRequest>): Promise<void> {
    const req = e.detail;
    this.#settings = await saveSettings({
      name: req.name,
      micOn: req.audio,
      camOn: req.video,
      audioDeviceId: req.audioDeviceId,
      videoDeviceId: req.videoDeviceId,
      relayOnly: req.relayOnly,
      background: req.background,
    });
    let Meeting: typeof import('../core/meeting.js').Meeting;
    try {
      ({ Meeting } = await loadCall());
    } catch {
      releaseDevices(req);
      return this.#showError('ERR_SIGNALING_UNREACHABLE');
    }
    const meeting = new Meeting({
      identity: await newVisitIdentity(),
      signalingUrl: this.#config!.signalingUrls,
      ...(await meetingKeys(this.#secret)),
      hostKeyId: this.#secret,
      ...(this.#host ? { host: this.#host } : {}),
      name: req.name,
      stream: req.stream,
      audio: req.audio,
      video: req.video,
      relayOnly: req.relayOnly,
      uploadKbps: this.#config!.uploadKbps,
      background: req.background,
      effect: req.effect,
    });
    meeting.on('failed', (err) => {
      this.#endCall();
      this.#showError(err.code);
    });
    this.meeting = meeting;
    this.view = 'call';
    meeting.join();
    // A device still starting (a slow camera) joins the call when it is ready.
    for (const late of req.pending) void late.then((track) => track && meeting.addLateTrack(track));
  }

  #handleLeave(): void {
    this.#endCall();
    this.view = 'left';
  }

  #endCall(): void {
    const meeting = this.meeting;
    if (!meeting) return;
    this.meeting = null;
    meeting.leave();
  }

  #goHome(): void {
    history.pushState(null, '', location.pathname);
    this.#route();
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-app': RundeApp;
  }
}

/** What the lobby handed over, stopped when no call takes it (its code could not be loaded). */
function releaseDevices(req: JoinRequest): void {
  for (const track of req.stream.getTracks()) track.stop();
  for (const late of req.pending) void late.then((track) => track?.stop());
  if (req.effect) {
    req.effect.camera.stop();
    void req.effect.ready.then(
      (effect) => effect.stop(),
      () => {},
    );
  }
}
