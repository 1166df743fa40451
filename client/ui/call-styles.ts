/** Layout of the call screen: status line, stage with tiles, side panel, control bar. */
import { css } from 'lit';
import { buttonStyles } from './styles.js';

export const callStyles = [
  buttonStyles,
  css`
    :host {
      display: grid;
      grid-template-rows: auto minmax(0, 1fr) auto;
      grid-template-columns: minmax(0, 1fr);
      height: 100%;
      background: #111820;
      color: #fff;
      --runde-focus: #ffbf47;
    }
    .status {
      min-height: 1.5rem;
      padding: 0.4rem 1rem;
      text-align: center;
    }
    .status.warn {
      background: #7a4b00;
    }
    .knocks {
      list-style: none;
      margin: 0;
      padding: 0.25rem 1rem;
      background: #1f2933;
    }
    .knocks li {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      justify-content: center;
      padding: 0.25rem 0;
    }
    .knocks .secondary {
      color: #fff;
    }
    .body {
      display: flex;
      min-height: 0;
    }
    .stage {
      flex: 1;
      min-width: 0;
      display: flex;
      flex-direction: column;
      gap: 0.5rem;
      padding: 0.5rem;
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
      border-left: 1px solid #3e4c59;
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
        border-top: 1px solid #3e4c59;
      }
    }
  `,
];
