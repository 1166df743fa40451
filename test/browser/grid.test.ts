import { expect, fixture, html } from '@open-wc/testing';
import '../../client/ui/grid.js';
import type { RundeGrid } from '../../client/ui/grid.js';

const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));

describe('runde-grid', () => {
  it('lays out its tiles at 16:9 within its own size, adapting to count and size', async () => {
    const el = await fixture<RundeGrid>(html`<runde-grid style="width: 1000px; height: 600px">
      <div></div><div></div><div></div>
    </runde-grid>`);
    await frame();
    await el.updateComplete;
    const tiles = [...el.querySelectorAll('div')];
    const boxes = tiles.map((t) => t.getBoundingClientRect());
    const host = el.getBoundingClientRect();
    for (const b of boxes) {
      expect(Math.abs(b.width / b.height - 16 / 9)).to.be.below(0.02);
      expect(b.right).to.be.at.most(host.right + 0.5);
      expect(b.bottom).to.be.at.most(host.bottom + 0.5);
    }
    expect(el.layout.columns).to.equal(2);
    const before = boxes[0].width;
    el.append(...Array.from({ length: 5 }, () => document.createElement('div')));
    await frame();
    await el.updateComplete;
    expect(el.layout.columns * el.layout.rows).to.be.at.least(8);
    expect(el.querySelector('div')!.getBoundingClientRect().width).to.be.below(before);
  });
});

describe('runde-grid fill (phones)', () => {
  it('fills an upright phone stage instead of leaving bands above and below 16:9 tiles', async () => {
    // A 390 px phone's stage, about 374 × 600 CSS px once the status line and the bar are off.
    const tiles = (n: number) => Array.from({ length: n }, () => html`<div></div>`);
    for (const n of [1, 2, 3, 5, 7]) {
      const plain = await fixture<RundeGrid>(html`<runde-grid style="width: 374px; height: 600px">${tiles(n)}</runde-grid>`);
      const filled = await fixture<RundeGrid>(html`<runde-grid fill style="width: 374px; height: 600px">${tiles(n)}</runde-grid>`);
      await plain.updateComplete;
      await filled.updateComplete;
      const used = (g: RundeGrid) => (g.layout.tileWidth * g.layout.tileHeight * n) / (374 * 600);
      const cells = filled.layout.columns * filled.layout.rows;
      expect(used(filled), `${n} tiles: their cells' share of the stage used`).to.be.above((0.85 * n) / cells);
      expect(used(filled), `${n} tiles: no less than 16:9 boxes use`).to.be.at.least(used(plain));
      if (n <= 2) expect(used(filled), `${n}: more than 16:9 boxes`).to.be.above(used(plain) + 0.2);
      const aspect = filled.layout.tileWidth / filled.layout.tileHeight;
      expect(aspect, `${n}: no taller than 9:16`).to.be.at.least(9 / 16 - 0.01);
      expect(aspect, `${n}: no wider than 16:9`).to.be.at.most(16 / 9 + 0.01);
      const child = filled.querySelector('div')!.getBoundingClientRect();
      expect(Math.round(child.height)).to.equal(filled.layout.tileHeight);
    }
  });
});
