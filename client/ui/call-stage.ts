/**
 * The call's stage: the presenter layout while someone else shares a screen, the speaker layout
 * on request, else the grid; on a phone the own view floats in a corner. Also the banner a
 * sharer sees. Pure rendering from the meeting controller's state.
 */
import { html, nothing } from 'lit';
import { LOCAL, type Meeting, type PeerView } from '../core/meeting.js';
import { t } from '../i18n/index.js';
import { REACTION_LABELS } from './controls.js';
import type { MeetingController } from './meeting-controller.js';
import { handOrder, peopleRows } from './people-panel.js';
import './grid.js';
import './tile.js';

export interface StageView {
  c: MeetingController;
  m: Meeting;
  layout: 'grid' | 'speaker';
  /** A phone-sized screen: tiles fill the stage and the own view floats. */
  phone: boolean;
  /** The speaker remote audio plays through. */
  sinkId: string;
}

/** A render's view with each raised hand's place in the queue, worked out once for all tiles. */
interface Tiles extends StageView {
  hands: ReadonlyMap<string, number>;
}

/**
 * A grid of fewer people than this (oneself included) shows everyone at the full frame rate: a
 * laptop holds it easily (bench:mesh, docs/performance.md), and on a 1280×720 window their tiles
 * are just under LARGE_VIEW_HEIGHT.
 */
export const FULL_RATE_GRID = 5;

/** Presenter layout while anyone else shares a screen; speaker layout on request; else the grid. */
export function renderStage(view: StageView) {
  const { c, m, phone } = view;
  const order = handOrder(peopleRows(c.local, c.peers, m.quality));
  const v: Tiles = { ...view, hands: new Map(order.map((r, i) => [r.id, i + 1])) };
  // Someone else's screen fills the stage; our own shows only as the small preview in the
  // presenting banner (full size it would mirror itself endlessly on the shared screen).
  const sharer = c.peers.find((p) => p.screen);
  // On a phone with others here, the own view floats in a corner and the others take the space.
  const floatSelf = phone && c.peers.length > 0;
  const selfView = floatSelf ? html`<div class="self-view">${localTile(v)}</div>` : nothing;
  // In a grid of up to four everyone, and in a larger one the active speaker, gets the full
  // frame rate whatever the tile's size; beside a shared screen only a tile large by its size does.
  const prominent = (p: PeerView) => !sharer && (c.peers.length + 1 < FULL_RATE_GRID || p.id === c.activeSpeaker);
  const cameraTiles = [...(floatSelf ? [] : [localTile(v)]), ...c.peers.map((p) => peerTile(v, p, '', prominent(p)))];
  if (sharer?.screen) {
    return html`<runde-tile class="main" data-screen .stream=${sharer.screen}
        name=${t('call.screenOf', { name: sharer.name || t('call.guest') })}></runde-tile>
      <runde-grid class="strip" ?fill=${phone}>${cameraTiles}</runde-grid>${selfView}`;
  }
  const speaker = v.layout === 'speaker' ? (c.peers.find((p) => p.id === c.activeSpeaker) ?? c.peers[0]) : undefined;
  if (speaker) {
    return html`${peerTile(v, speaker, 'main', true)}
      <runde-grid class="strip">${[localTile(v), ...c.peers.filter((p) => p !== speaker).map((p) => peerTile(v, p))]}</runde-grid>`;
  }
  return html`<runde-grid class="all" ?fill=${phone}>${cameraTiles}</runde-grid>${selfView}`;
}

/** While we share: a banner that says so, with Stop, and a small preview of what the others see. */
export function renderPresenting(m: Meeting, screen: MediaStream) {
  return html`<div class="presenting" role="region" aria-label=${t('call.yourScreen')}>
    <runde-tile class="own-screen" data-screen data-own-screen .stream=${screen} local></runde-tile>
    <p>${t('call.presenting')}</p>
    <button class="danger" name="stop-presenting" @click=${() => m.stopScreenShare()}>${t('call.stopPresenting')}</button>
  </div>`;
}

function localTile(v: Tiles) {
  const { c, m } = v;
  const stream = m.stream;
  const reaction = c.reactions.get(LOCAL) ?? '';
  return html`<runde-tile
    data-local
    .stream=${stream}
    name=${c.local.name ? t('call.youNamed', { name: c.local.name }) : t('call.you')}
    ?muted=${!c.local.audio || stream.getAudioTracks().length === 0}
    ?video-off=${!c.local.video || stream.getVideoTracks().length === 0}
    ?speaking=${c.speaking.has(LOCAL)}
    .hand=${v.hands.get(c.local.id) ?? 0}
    .reaction=${reaction}
    .reactionLabel=${reaction ? t(REACTION_LABELS[reaction]) : ''}
    mirrored
    local
  ></runde-tile>`;
}

/** `prominent`: the main tile or the active speaker's, sent the full frame rate (tile.ts). */
function peerTile(v: Tiles, p: PeerView, cls = '', prominent = false) {
  const { c, m } = v;
  const q = m.quality.get(p.id);
  const reaction = c.reactions.get(p.id) ?? '';
  const detail = q ? t('quality.summary', { rtt: q.rttMs ?? '–', loss: q.lossPercent ?? '–', fps: q.fps ?? '–' }) : '';
  return html`<runde-tile
    class=${cls}
    data-peer=${p.id}
    .stream=${p.stream}
    name=${m.nameOf(p.id) || (p.stateKnown ? t('call.guest') : '')}
    ?muted=${p.stateKnown && !p.audio}
    ?video-off=${p.stateKnown && !p.video}
    ?connecting=${!p.connected}
    ?stuck=${c.stuck.has(p.id)}
    peer=${p.id}
    ?prominent=${prominent}
    ?video-paused=${p.videoPaused}
    ?speaking=${c.speaking.has(p.id)}
    .hand=${v.hands.get(p.id) ?? 0}
    .reaction=${reaction}
    .reactionLabel=${reaction ? t(REACTION_LABELS[reaction]) : ''}
    .quality=${q?.level ?? ''}
    .qualityDetail=${detail}
    .sinkId=${v.sinkId}
  ></runde-tile>`;
}
