/**
 * The call screen: status line, grid of tiles (own view first), control bar.
 *
 * @fires runde-leave - (from the controls) the person wants to leave
 */
import { LitElement, css, html, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Mesh } from '../core/mesh.js';
import { t } from '../i18n/index.js';
import { copyText } from './clipboard.js';
import './controls.js';
import './grid.js';
import { MeshController } from './mesh-controller.js';
import { buttonStyles } from './styles.js';
import './tile.js';

@customElement('runde-call')
export class RundeCall extends LitElement {
  static override styles = [
    buttonStyles,
    css`
      :host {
        display: grid;
        grid-template-rows: auto 1fr auto;
        height: 100%;
        background: #111820;
        color: #fff;
      }
      .status {
        min-height: 1.5rem;
        padding: 0.4rem 1rem;
        text-align: center;
      }
      .status.warn {
        background: #7a4b00;
      }
      runde-grid {
        padding: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) mesh: Mesh | null = null;
  /** The meeting link, for the copy button. */
  @property() link = '';
  @state() private notice = '';
  @state() private now = Date.now();
  #controller: MeshController | null = null;
  #ticker: ReturnType<typeof setInterval> | null = null;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('mesh') && this.mesh && this.#controller?.mesh !== this.mesh) {
      if (this.#controller) this.removeController(this.#controller);
      this.#controller = new MeshController(this, this.mesh);
    }
    const reconnecting = this.#controller?.signaling === 'reconnecting';
    if (reconnecting && !this.#ticker) this.#ticker = setInterval(() => (this.now = Date.now()), 1000);
    if (!reconnecting && this.#ticker) {
      clearInterval(this.#ticker);
      this.#ticker = null;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.#ticker) clearInterval(this.#ticker);
    this.#ticker = null;
  }

  protected override render() {
    const c = this.#controller;
    if (!c || !this.mesh) return null;
    const { local, peers } = c;
    const stream = this.mesh.stream;
    const hasAudio = (stream?.getAudioTracks().length ?? 0) > 0;
    const hasVideo = (stream?.getVideoTracks().length ?? 0) > 0;
    return html`
      <h1 class="visually-hidden">${t('call.participants', { count: peers.length + 1 })}</h1>
      ${this.#renderStatus()}
      <runde-grid>
        <runde-tile
          .stream=${stream}
          name=${local.name ? t('call.youNamed', { name: local.name }) : t('call.you')}
          ?muted=${!local.audio || !hasAudio}
          ?video-off=${!local.video || !hasVideo}
          mirrored
          local
        ></runde-tile>
        ${repeat(
          peers,
          (p) => p.id,
          (p) => html`<runde-tile
            data-peer=${p.id}
            .stream=${p.stream}
            name=${p.name || t('call.guest')}
            ?muted=${p.connected && !p.audio}
            ?video-off=${p.connected && !p.video}
            ?connecting=${!p.connected}
          ></runde-tile>`,
        )}
      </runde-grid>
      <runde-controls
        role="toolbar"
        aria-label=${t('controls.label')}
        ?audio=${local.audio}
        ?video=${local.video}
        ?has-audio=${hasAudio}
        ?has-video=${hasVideo}
        @runde-toggle-mic=${() => this.mesh?.setAudio(!this.mesh.local.audio)}
        @runde-toggle-cam=${() => this.mesh?.setVideo(!this.mesh.local.video)}
        @runde-copy-link=${this.#handleCopy}
      ></runde-controls>
    `;
  }

  #renderStatus() {
    const c = this.#controller!;
    let text = this.notice;
    let warn = false;
    if (c.signaling === 'reconnecting') {
      const seconds = Math.max(0, Math.ceil((this.mesh!.retryAt - this.now) / 1000));
      text = this.mesh!.everJoined
        ? t('status.reconnecting', { seconds })
        : `${t('error.ERR_SIGNALING_UNREACHABLE')} ${t('status.retrying', { seconds })}`;
      warn = true;
    } else if (c.signaling === 'connecting') {
      text = t('status.connecting');
    } else if (!text && c.peers.length === 0) {
      text = t('call.alone');
    }
    return html`<div class="status ${warn ? 'warn' : ''}" role="status">${text}</div>`;
  }

  async #handleCopy(): Promise<void> {
    this.notice = (await copyText(this.link)) ? t('lobby.linkCopied') : t('lobby.copyFailed');
    setTimeout(() => (this.notice = ''), 4000);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-call': RundeCall;
  }
}
