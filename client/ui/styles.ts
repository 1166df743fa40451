/**
 * Styles shared by several components: buttons, focus rings, visually hidden text.
 * Colours meet WCAG AA contrast on the dark call background and the light pages; the focus ring is
 * dark on light pages and dialogs (app.css, dialogStyles) and yellow on the dark call (callStyles).
 */
import { css } from 'lit';
import './tokens.js';

/** Links on light pages and dialogs: a 44 px touch target even inside a sentence. */
export const linkStyles = css`
  a {
    display: inline-flex;
    align-items: center;
    min-height: 44px;
    color: var(--runde-accent);
  }
`;

export const buttonStyles = css`
  button {
    font: inherit;
    cursor: pointer;
    border-radius: 0.5rem;
    border: 1px solid transparent;
    padding: 0.6rem 1rem;
    min-height: 44px;
    min-width: 44px;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  summary:focus-visible,
  a:focus-visible {
    outline: 3px solid var(--runde-focus, #ffbf47);
    outline-offset: 2px;
  }
  .primary {
    background: var(--runde-accent);
    color: var(--runde-on-dark);
    font-weight: 600;
  }
  .primary:hover {
    background: var(--runde-accent-hover);
  }
  .secondary {
    background: transparent;
    color: inherit;
    border-color: currentColor;
  }
  .danger {
    background: var(--runde-danger);
    color: var(--runde-on-dark);
  }
  [hidden] {
    display: none !important;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** Side panels (chat, people, files) on the dark call background. */
export const panelStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    height: 100%;
    background: var(--runde-surface);
    color: var(--runde-on-dark);
  }
  header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    padding: 0.5rem 0.75rem;
    border-bottom: 1px solid var(--runde-control);
  }
  h2 {
    font-size: 1.1rem;
    margin: 0;
  }
  .secondary {
    color: var(--runde-on-dark);
  }
`;

/** The own camera preview (lobby, waiting screen): mirrored, with a line in place of a stopped camera. */
export const previewStyles = css`
  .preview {
    position: relative;
    aspect-ratio: 4 / 3;
    background: var(--runde-surface);
    border-radius: 0.75rem;
    overflow: hidden;
    color: var(--runde-on-dark);
  }
  .preview video {
    width: 100%;
    height: 100%;
    object-fit: cover;
    transform: scaleX(-1);
  }
  .preview p {
    position: absolute;
    inset: 0;
    display: grid;
    place-items: center;
    margin: 0;
  }
`;
