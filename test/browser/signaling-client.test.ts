import { expect } from '@open-wc/testing';
import { backoffMs, RECONNECT_MAX_MS } from '../../client/core/signaling-client.js';

describe('reconnect backoff', () => {
  it('grows exponentially with jitter and stays under the cap', () => {
    expect(backoffMs(0, () => 0)).to.equal(250);
    expect(backoffMs(0, () => 1)).to.equal(500);
    expect(backoffMs(3, () => 1)).to.equal(4000);
    for (let i = 0; i < 30; i++) expect(backoffMs(i)).to.be.at.most(RECONNECT_MAX_MS);
    expect(backoffMs(20, () => 0)).to.equal(RECONNECT_MAX_MS / 2);
  });
});
