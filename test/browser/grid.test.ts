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
