/**
 * A signaling client in the browser that moves on between the boxes config.json lists; the
 * file's format and checks are tested in node (test/node/runtime-config.test.ts).
 */
import { expect, waitUntil } from '@open-wc/testing';
import { newPeerId, newSecret, roomIdFor } from '../../client/core/room-link.js';
import { SignalingClient } from '../../client/core/signaling-client.js';
import type { PeerId } from '../../signaling/protocol.js';

const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

describe('a signaling client with several boxes', () => {
  it('moves on to the next box when one is unreachable', async () => {
    const room = await roomIdFor(newSecret());
    const client = new SignalingClient(['ws://127.0.0.1:9/ws', wsUrl], room, newPeerId() as PeerId);
    const welcomed = new Promise((resolve) => client.on('welcome', resolve));
    client.connect();
    await welcomed;
    expect(client.url).to.equal(wsUrl);
    expect(client.state).to.equal('open');
    client.leave();
    await waitUntil(() => client.state === 'closed');
  });
});
