/**
 * Lays out its children (tiles) in the grid that makes them largest at 16:9 in the space it has,
 * for any count from 1 to 8 (and beyond).
 */
import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { fillLayout, gridLayout, type GridLayout } from './grid-layout.js';

const GAP_PX = 8;

@customElement('runde-grid')
export class RundeGrid extends LitElement {
  static override styles = css`
    :host {
      display: grid;
      place-content: center;
      gap: ${GAP_PX}px;
      min-height: 0;
      min-width: 0;
      overflow: hidden;
    }
    ::slotted(*) {
      width: var(--tile-width);
      height: var(--tile-height);
    }
  `;

  @state() layout: GridLayout = gridLayout(1, 0, 0);
  /** Tiles fill their cells (cropped, 9:16 to 16:9) instead of keeping 16:9: for phones. */
  @property({ type: Boolean }) fill = false;
  #observer = new ResizeObserver(() => this.#relayout());
  #count = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#observer.observe(this);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#observer.disconnect();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('fill')) this.#relayout();
  }

  protected override render() {
    const { columns, tileWidth, tileHeight } = this.layout;
    this.style.setProperty('--tile-width', `${tileWidth}px`);
    this.style.setProperty('--tile-height', `${tileHeight}px`);
    this.style.gridTemplateColumns = `repeat(${columns}, ${tileWidth}px)`;
    return html`<slot @slotchange=${this.#handleSlotChange}></slot>`;
  }

  #handleSlotChange(e: Event): void {
    this.#count = (e.target as HTMLSlotElement).assignedElements().length;
    this.#relayout();
  }

  #relayout(): void {
    const { width, height } = this.getBoundingClientRect();
    this.layout = (this.fill ? fillLayout : gridLayout)(this.#count, width, height, GAP_PX);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'runde-grid': RundeGrid;
  }
}
