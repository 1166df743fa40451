/**
 * The people side panel: everyone with name, microphone and camera state, raised hand (in the
 * order hands went up), connection quality with its figures, safety code, and who hosts. A host
 * also gets "mute everyone" and, on each other person, a menu (person-menu.ts); everyone else gets
 * no actions on others.
 *
 * @fires runde-host-action - detail: HostAction (from the menus, and "mute everyone" with id `*`)
 */
import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { PeerId } from '../../signaling/protocol.js';
import type { LocalState, PeerView } from '../core/meeting.js';
import type { PeerQuality } from '../core/quality.js';
import { t } from '../i18n/index.js';
import { formatNumber, initial } from './format.js';
import { handIcon, micOffIcon } from './icons.js';
import './person-menu.js';
import type { HostAction } from './person-menu.js';
import { buttonStyles, panelStyles } from './styles.js';

export interface PersonRow {
  id: PeerId;
  name: string;
  audio: boolean;
  video: boolean;
  hand: number | null;
  /** They say they record the meeting. */
  recording: boolean;
  quality: PeerQuality | null;
  /** The connection's safety code (crypto.ts), once known. */
  safetyCode: string | null;
  self: boolean;
  /** Proved to hold the host key. */
  host: boolean;
}

/** Everyone as rows: self first, then the others; `hosts` are the ids that proved host rights. */
export function peopleRows(
  local: LocalState,
  peers: readonly PeerView[],
  quality: ReadonlyMap<string, PeerQuality>,
  codes: ReadonlyMap<string, string> = new Map(),
  hosts: ReadonlySet<PeerId> = new Set(),
): PersonRow[] {
  const self: PersonRow = {
    id: local.id,
    name: local.name,
    audio: local.audio,
    video: local.video,
    hand: local.hand,
    recording: local.recording,
    quality: null,
    safetyCode: null,
    self: true,
    host: hosts.has(local.id),
  };
  const others = peers.map((p) => ({
    id: p.id,
    name: p.name,
    audio: p.audio,
    video: p.video,
    hand: p.hand,
    recording: p.recording,
    quality: quality.get(p.id) ?? null,
    safetyCode: codes.get(p.id) ?? null,
    self: false,
    host: hosts.has(p.id),
  }));
  return [self, ...others];
}

/** Raised hands in the order they went up (ties, from simultaneous raises, by id). */
export function handOrder(rows: readonly PersonRow[]): PersonRow[] {
  return rows.filter((r) => r.hand !== null).sort((a, b) => a.hand! - b.hand! || a.id.localeCompare(b.id));
}

@customElement('runde-people')
export class RundePeople extends LitElement {
  static override styles = [
    buttonStyles,
    panelStyles,
    css`
      /* Long lists scroll inside the panel, never under the control bar: the whole panel scrolls
         as one, and its last row keeps room below it. */
      :host {
        overflow-y: auto;
        padding-bottom: var(--runde-space-4);
      }
      ul,
      ol {
        flex: none;
        margin: 0;
        padding: 0 var(--runde-space-3);
        list-style: none;
      }
      li {
        padding: var(--runde-space-2) 0;
        border-bottom: 1px solid var(--runde-control);
      }
      .row {
        display: flex;
        gap: var(--runde-space-2);
        align-items: center;
        min-height: 44px;
      }
      .avatar {
        flex: none;
        display: grid;
        place-items: center;
        width: 2.25rem;
        height: 2.25rem;
        border-radius: 50%;
        background: var(--runde-control);
        font-weight: 600;
      }
      .who {
        flex: 1;
        min-width: 0;
        display: flex;
        flex-direction: column;
      }
      /* One line, cut with an ellipsis; the whole name is still the text (and the tooltip). */
      .name {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .state {
        font-size: var(--runde-text-s);
        color: var(--runde-on-dark-muted);
      }
      .marks {
        flex: none;
        display: flex;
        align-items: center;
        gap: var(--runde-space-1);
      }
      .badge {
        padding: 0 0.4rem;
        border-radius: var(--runde-radius-s);
        background: var(--runde-highlight);
        color: var(--runde-on-highlight);
        font-size: var(--runde-text-xs);
        font-weight: 700;
      }
      .badge.recording {
        background: var(--runde-danger);
        color: var(--runde-on-dark);
      }
      .marks svg {
        width: 1.25rem;
        height: 1.25rem;
      }
      .hand-mark {
        color: var(--runde-highlight);
      }
      .mic-off {
        color: var(--runde-danger-on-dark);
      }
      .host-actions {
        padding: var(--runde-space-2) var(--runde-space-3) 0;
      }
      h3 {
        font-size: var(--runde-text-m);
        margin: var(--runde-space-3) var(--runde-space-3) var(--runde-space-1);
      }
      /* The queue of raised hands, first of all: numbered, on the highlight. */
      ol.hands {
        counter-reset: hand;
      }
      ol.hands li {
        display: flex;
        align-items: center;
        gap: var(--runde-space-2);
        border-bottom: none;
        padding: var(--runde-space-1) 0;
      }
      ol.hands li::before {
        counter-increment: hand;
        content: counter(hand);
        display: inline-grid;
        place-items: center;
        width: 1.5rem;
        height: 1.5rem;
        border-radius: 50%;
        background: var(--runde-highlight);
        color: var(--runde-on-highlight);
        font-weight: 700;
        font-size: var(--runde-text-s);
      }
      dl {
        display: grid;
        grid-template-columns: auto auto;
        gap: 0 var(--runde-space-4);
        margin: var(--runde-space-1) 0 0;
        font-size: var(--runde-text-s);
      }
      dd {
        margin: 0;
      }
      /* Small print, but a full 44 px touch target. */
      button.small {
        padding: 0.2rem 0.6rem;
        font-size: var(--runde-text-s);
      }
      details {
        padding-left: calc(2.25rem + var(--runde-space-2));
        font-size: var(--runde-text-s);
        color: var(--runde-on-dark-muted);
      }
      summary {
        cursor: pointer;
        line-height: 24px;
        padding: 10px 0;
      }
      .digits {
        font-family: ui-monospace, monospace;
        letter-spacing: 0.05em;
        color: var(--runde-on-dark);
      }
      .about-codes {
        padding: 0 var(--runde-space-3);
      }
    `,
  ];

  @property({ attribute: false }) rows: readonly PersonRow[] = [];
  /** We are a host: "mute everyone" and a menu of actions on each other person. */
  @property({ type: Boolean }) moderate = false;

  protected override render() {
    const hands = handOrder(this.rows);
    return html`
      <header><h2>${t('people.heading', { count: this.rows.length })}</h2></header>
      ${
        hands.length
          ? html`<h3 id="hands">${t('people.hands')}</h3>
            <ol class="hands" aria-labelledby="hands">${hands.map((r) => html`<li>${this.#name(r)}</li>`)}</ol>`
          : nothing
      }
      ${
        this.moderate && this.rows.length > 1
          ? html`<div class="host-actions"><button class="secondary small" name="mute-all" @click=${this.#muteAll}>${t('people.muteAll')}</button></div>`
          : nothing
      }
      <h3 id="everyone">${t('people.everyone')}</h3>
      <ul aria-labelledby="everyone">
        ${this.rows.map((r) => this.#renderRow(r))}
      </ul>
      ${this.rows.some((r) => r.safetyCode) ? html`<details class="about-codes"><summary>${t('safety.what')}</summary><p>${t('safety.explain')}</p></details>` : nothing}
    `;
  }

  /**
   * One person: initial, name on one line with the microphone and camera under it, marks (host,
   * hand, muted) and a host's menu; the connection's figures and safety code folded under it.
   */
  #renderRow(r: PersonRow) {
    const name = this.#name(r);
    return html`<li data-peer=${r.id}>
      <div class="row">
        <span class="avatar" aria-hidden="true">${initial(r.name)}</span>
        <span class="who">
          <span class="name" title=${name}>${name}</span>
          <span class="state">${r.audio ? t('people.micOn') : t('people.micOff')} · ${r.video ? t('people.camOn') : t('people.camOff')}</span>
        </span>
        <span class="marks">
          ${r.host ? html`<span class="badge">${t('people.host')}</span>` : nothing}
          ${r.recording ? html`<span class="badge recording">${t('people.recording')}</span>` : nothing}
          ${r.hand !== null ? html`<span class="hand-mark" role="img" aria-label=${t('people.handUp')}>${handIcon}</span>` : nothing}
          ${!r.audio ? html`<span class="mic-off" aria-hidden="true">${micOffIcon}</span>` : nothing}
          ${
            this.moderate && !r.self
              ? html`<runde-person-menu .peer=${r.id} name=${name} ?audio=${r.audio} ?hand=${r.hand !== null} ?recording=${r.recording}></runde-person-menu>`
              : nothing
          }
        </span>
      </div>
      ${r.quality || r.safetyCode ? this.#renderDetails(r) : nothing}
    </li>`;
  }

  #muteAll(): void {
    const detail: HostAction = { action: 'mute', id: '*', name: '' };
    this.dispatchEvent(new CustomEvent<HostAction>('runde-host-action', { detail, bubbles: true, composed: true }));
  }

  #name(r: PersonRow): string {
    const name = r.name || t('call.guest');
    return r.self ? t('call.youNamed', { name }) : name;
  }

  /** The connection, folded: its quality as the summary; the figures and the safety code inside. */
  #renderDetails(r: PersonRow) {
    const q = r.quality;
    const dash = '–';
    return html`<details>
      <summary>${t(`quality.${q?.level ?? 'unknown'}`)}</summary>
      ${
        q
          ? html`<dl class="quality">
            <dt>${t('quality.rtt')}</dt><dd>${q.rttMs === null ? dash : `${formatNumber(q.rttMs)} ms`}</dd>
            <dt>${t('quality.loss')}</dt><dd>${q.lossPercent === null ? dash : `${formatNumber(q.lossPercent, 1)} %`}</dd>
            <dt>${t('quality.fps')}</dt><dd>${q.fps === null ? dash : formatNumber(q.fps)}</dd>
            <dt>${t('quality.in')}</dt><dd>${q.inKbps === null ? dash : `${formatNumber(q.inKbps)} kbit/s`}</dd>
            <dt>${t('quality.out')}</dt><dd>${q.outKbps === null ? dash : `${formatNumber(q.outKbps)} kbit/s`}</dd>
          </dl>`
          : nothing
      }
      ${r.safetyCode ? html`<p class="code">${t('safety.code')}: <span class="digits">${r.safetyCode}</span></p>` : nothing}
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-people': RundePeople;
  }
}
