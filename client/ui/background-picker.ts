/**
 * The background choice (none, two blurs, two pictures, a colour) as one labelled select, for the
 * lobby and the devices dialog. Offered only where the browser can run the effect.
 */
import { html } from 'lit';
import { BACKGROUNDS, isBackground, type Background } from '../core/background-choice.js';
import { t, type MessageKey } from '../i18n/index.js';

const LABELS: Record<Background, MessageKey> = {
  none: 'background.none',
  'blur-light': 'background.blurLight',
  'blur-strong': 'background.blurStrong',
  office: 'background.office',
  'town-hall': 'background.townHall',
  colour: 'background.colour',
};

/** Whether this browser can blur: WebAssembly for the segmenter, canvas capture for the picture. */
export function canChangeBackground(): boolean {
  return typeof WebAssembly === 'object' && typeof HTMLCanvasElement !== 'undefined' && typeof HTMLCanvasElement.prototype.captureStream === 'function';
}

/** A labelled select of the backgrounds; `choose` gets the new choice. */
export function backgroundPicker(id: string, current: Background, choose: (choice: Background) => void, disabled = false) {
  return html`<label for=${id}>${t('background.label')}</label>
    <select id=${id} name="background" ?disabled=${disabled} .value=${current}
      @change=${(e: Event) => {
        const value = (e.target as HTMLSelectElement).value;
        if (isBackground(value)) choose(value);
      }}>
      ${BACKGROUNDS.map((b) => html`<option value=${b} ?selected=${b === current}>${t(LABELS[b])}</option>`)}
    </select>`;
}
