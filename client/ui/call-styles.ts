/** Layout of the call screen: status line, knocks, stage with tiles, side panel, control bar. */
import { css } from 'lit';
import { buttonStyles } from './styles.js';

export const callStyles = [
  buttonStyles,
  css`
    :host {
      display: grid;
      /* Status, who records, knocks (hosts only), the stage and panel, the control bar: each in a
         row of its own, so that they take their own height and are never squeezed by the stage. */
      grid-template-rows: auto auto auto minmax(0, 1fr) auto;
      grid-template-columns: minmax(0, 1fr);
      height: 100%;
      background: var(--runde-call-bg);
      color: var(--runde-on-dark);
      --runde-focus: var(--runde-highlight);
    }
    .status {
      grid-row: 1;
      min-height: 1.5rem;
      padding: 0.4rem 1rem;
      text-align: center;
    }
    .status.warn {
      background: var(--runde-warn-bg);
    }
    .recording {
      grid-row: 2;
    }
    .knocks {
      grid-row: 3;
    }
    .body {
      grid-row: 4;
      display: flex;
      min-height: 0;
    }
    runde-controls {
      grid-row: 5;
    }
    /* The dialogs open in the top layer; their hosts sit in a row of no height below the bar. */
    runde-help,
    runde-invite,
    runde-devices {
      grid-row: 6;
    }
    .waiting {
      grid-row: 1 / -1;
      min-height: 0;
    }
    .stage {
      position: relative;
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
      gap: var(--runde-space-2);
      padding: var(--runde-space-2);
    }
    /* While we share our screen: what the others see, small, and a way to stop. */
    .presenting {
      box-sizing: border-box;
      flex: none;
      display: flex;
      align-items: center;
      gap: var(--runde-space-3);
      padding: var(--runde-space-2) var(--runde-space-3);
      border-radius: var(--runde-radius-m);
      background: var(--runde-surface-raised);
    }
    .presenting p {
      flex: 1;
      margin: 0;
    }
    .presenting .own-screen {
      flex: none;
      width: 6rem;
      aspect-ratio: 16 / 9;
      border-radius: var(--runde-radius-s);
    }
    /* One notice at a time (joined, left, hand raised), over the top of the stage. */
    .toast {
      box-sizing: border-box;
      position: absolute;
      top: var(--runde-space-3);
      left: 50%;
      transform: translateX(-50%);
      z-index: 2;
      max-width: min(32rem, calc(100% - 2 * var(--runde-space-3)));
      padding: var(--runde-space-2) var(--runde-space-4);
      border-radius: var(--runde-radius-l);
      background: var(--runde-surface-raised);
      box-shadow: 0 0.25rem 1rem rgba(0, 0, 0, 0.5);
      text-align: center;
      pointer-events: none;
      width: max-content;
    }
    /* Below the presenting banner, never over its words. */
    .stage.sharing .toast {
      top: 5rem;
    }
    /* A phone: the own view floats in the corner above the others, like a mirror on the wall. */
    .self-view {
      position: absolute;
      right: var(--runde-space-3);
      bottom: var(--runde-space-3);
      z-index: 1;
      width: min(28%, 8rem);
      aspect-ratio: 3 / 4;
      border-radius: var(--runde-radius-m);
      box-shadow: 0 0.25rem 1rem rgba(0, 0, 0, 0.6);
    }
    .self-view runde-tile {
      width: 100%;
      height: 100%;
    }
    runde-grid.all {
      flex: 1;
    }
    .stage > runde-tile.main {
      flex: 1;
      min-height: 0;
    }
    /* A shared screen is shown whole, never cropped. */
    runde-tile[data-screen] {
      --runde-fit: contain;
    }
    runde-grid.strip {
      flex: 0 0 22%;
      min-height: 6rem;
    }
    .panel {
      flex: 0 0 min(22rem, 40vw);
      min-height: 0;
      overflow: hidden;
      display: flex;
      flex-direction: column;
      border-left: 1px solid var(--runde-control);
    }
    /* The panel's component takes exactly the panel's height; its lists scroll inside. */
    .panel > * {
      flex: 1 1 auto;
      min-height: 0;
    }
    @media (max-width: 40rem) {
      .body {
        flex-direction: column;
      }
      /* Stacked, the tiles must give up height to the panel (else the panel spilled over the
         control bar on phones). */
      .stage {
        flex: 1 1 50%;
        min-height: 0;
      }
      .panel {
        flex: 1 1 50%;
        border-left: none;
        border-top: 1px solid var(--runde-control);
      }
    }
  `,
];
