import { expect } from '@open-wc/testing';
import { gridLayout } from '../../client/ui/grid-layout.js';

describe('grid layout', () => {
  it('gives one tile the whole width of a wide screen', () => {
    const l = gridLayout(1, 1600, 900, 8);
    expect(l).to.include({ columns: 1, rows: 1, tileWidth: 1600, tileHeight: 900 });
  });

  it('puts two people side by side on a wide screen and above each other on a tall one', () => {
    expect(gridLayout(2, 1600, 600, 8).columns).to.equal(2);
    expect(gridLayout(2, 400, 800, 8).columns).to.equal(1);
  });

  it('fits every count from 1 to 8 inside the area, keeping 16:9', () => {
    for (let n = 1; n <= 8; n++) {
      const l = gridLayout(n, 1280, 720, 8);
      expect(l.columns * l.rows).to.be.at.least(n);
      expect(l.columns * l.tileWidth + (l.columns - 1) * 8).to.be.at.most(1280);
      expect(l.rows * l.tileHeight + (l.rows - 1) * 8).to.be.at.most(720);
      expect(Math.abs(l.tileWidth / l.tileHeight - 16 / 9)).to.be.below(0.02);
      expect((l.columns - 1) * l.rows, `no empty column for ${n}`).to.be.below(n);
    }
  });

  it('uses 3×3 for 8 people on a 16:9 screen rather than one long row', () => {
    const l = gridLayout(8, 1920, 1080, 8);
    expect([l.columns, l.rows]).to.deep.equal([3, 3]);
  });

  it('never returns a negative size for a collapsed area', () => {
    expect(gridLayout(4, 0, 0).tileWidth).to.equal(0);
  });
});
