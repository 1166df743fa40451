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
import { formatNumber } from './format.js';
import { handIcon } from './icons.js';
import './person-menu.js';
import type { HostAction } from './person-menu.js';
import { buttonStyles, panelStyles } from './styles.js';

export interface PersonRow {
  id: PeerId;
  name: string;
  audio: boolean;
  video: boolean;
  hand: number | null;
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
         as one, because a row with its safety code and figures can be taller than a phone's
         list area would be on its own. */
      :host {
        overflow-y: auto;
      }
      ul {
        flex: none;
      }
      ul,
      ol {
        margin: 0;
        padding: 0 0.75rem;
      }
      ol {
        padding-left: 2.25rem;
      }
      ul {
        list-style: none;
      }
      li {
        padding: 0.5rem 0;
        border-bottom: 1px solid #3e4c59;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
      .name {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .badge {
        padding: 0 0.4rem;
        border-radius: 0.4rem;
        background: #ffbf47;
        color: #1f2933;
        font-size: 0.8rem;
        font-weight: 700;
      }
      .host-actions {
        padding: 0.5rem 0.75rem 0;
      }
      .state {
        font-size: 0.85rem;
        color: #cbd2d9;
      }
      h3 {
        font-size: 1rem;
        margin: 0.75rem 0.75rem 0.25rem;
      }
      dl {
        display: grid;
        grid-template-columns: auto auto;
        gap: 0 1rem;
        margin: 0.25rem 0 0;
        font-size: 0.85rem;
      }
      dd {
        margin: 0;
      }
      /* Small print, but a full 44 px touch target. */
      button.small {
        padding: 0.2rem 0.6rem;
        font-size: 0.85rem;
      }
      summary {
        cursor: pointer;
        line-height: 24px;
        padding: 10px 0;
      }
      .code {
        font-size: 0.9rem;
      }
      .digits {
        font-family: ui-monospace, monospace;
        font-size: 1rem;
        letter-spacing: 0.05em;
      }
      .about-codes {
        padding: 0 0.75rem;
        font-size: 0.9rem;
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
        this.moderate && this.rows.length > 1
          ? html`<div class="host-actions"><button class="secondary small" name="mute-all" @click=${this.#muteAll}>${t('people.muteAll')}</button></div>`
          : nothing
      }
      ${
        hands.length
          ? html`<h3>${t('people.hands')}</h3>
            <ol class="hands">${hands.map((r) => html`<li>${this.#name(r)}</li>`)}</ol>`
          : nothing
      }
      <h3>${t('people.everyone')}</h3>
      <details class="about-codes"><summary>${t('safety.what')}</summary><p>${t('safety.explain')}</p></details>
      <ul>
        ${this.rows.map(
          (r) => html`<li data-peer=${r.id}>
          <div class="row">
            <span class="name">${this.#name(r)}</span>
            ${r.host ? html`<span class="badge">${t('people.host')}</span>` : nothing}
            ${r.hand !== null ? html`<span class="hand" role="img" aria-label=${t('people.handUp')}>${handIcon}</span>` : nothing}
            ${
              this.moderate && !r.self
                ? html`<runde-person-menu .peer=${r.id} name=${this.#name(r)} ?audio=${r.audio} ?hand=${r.hand !== null}></runde-person-menu>`
                : nothing
            }
          </div>
          <div class="state">
            ${r.audio ? t('people.micOn') : t('people.micOff')} · ${r.video ? t('people.camOn') : t('people.camOff')}
          </div>
          ${r.safetyCode ? html`<div class="code">${t('safety.code')}: <span class="digits">${r.safetyCode}</span></div>` : nothing}
          ${r.quality ? this.#renderQuality(r.quality) : nothing}
        </li>`,
        )}
      </ul>
    `;
  }

  #muteAll(): void {
    const detail: HostAction = { action: 'mute', id: '*', name: '' };
    this.dispatchEvent(new CustomEvent<HostAction>('runde-host-action', { detail, bubbles: true, composed: true }));
  }

  #name(r: PersonRow): string {
    const name = r.name || t('call.guest');
    return r.self ? t('call.youNamed', { name }) : name;
  }

  #renderQuality(q: PeerQuality) {
    const dash = '–';
    return html`<details>
      <summary>${t(`quality.${q.level}`)}</summary>
      <dl class="quality">
        <dt>${t('quality.rtt')}</dt><dd>${q.rttMs === null ? dash : `${formatNumber(q.rttMs)} ms`}</dd>
        <dt>${t('quality.loss')}</dt><dd>${q.lossPercent === null ? dash : `${formatNumber(q.lossPercent, 1)} %`}</dd>
        <dt>${t('quality.fps')}</dt><dd>${q.fps === null ? dash : formatNumber(q.fps)}</dd>
        <dt>${t('quality.in')}</dt><dd>${q.inKbps === null ? dash : `${formatNumber(q.inKbps)} kbit/s`}</dd>
        <dt>${t('quality.out')}</dt><dd>${q.outKbps === null ? dash : `${formatNumber(q.outKbps)} kbit/s`}</dd>
      </dl>
    </details>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-people': RundePeople;
  }
}
