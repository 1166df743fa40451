import { expect, waitUntil } from '@open-wc/testing';
import { parseRuntimeConfig } from '../../client/core/runtime-config.js';
import { newPeerId, newSecret, roomIdFor } from '../../client/core/room-link.js';
import { SignalingClient } from '../../client/core/signaling-client.js';
import type { PeerId } from '../../signaling/protocol.js';

const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

describe('runtime configuration', () => {
  const base = 'https://meet.example.org/';

  it('reads a list of boxes', () => {
    expect(parseRuntimeConfig({ signalingUrls: ['wss://a.example.org/ws', 'wss://b.example.org/ws'] }, base)).to.deep.equal({
      signalingUrls: ['wss://a.example.org/ws', 'wss://b.example.org/ws'],
    });
    expect(parseRuntimeConfig({}, base), 'no list: the defaults').to.deep.equal({});
  });

  it('reads an upload budget within a sensible range', () => {
    expect(parseRuntimeConfig({ uploadKbps: 1200 }, base)).to.deep.equal({ uploadKbps: 1200 });
    for (const bad of [0, 50, -1, '1200', Number.NaN, 1e9]) {
      expect(parseRuntimeConfig({ uploadKbps: bad }, base), String(bad)).to.equal(null);
    }
  });

  it('refuses what is not a list of WebSocket URLs', () => {
    for (const bad of [null, [], 'x', { signalingUrls: [] }, { signalingUrls: ['https://a.example.org/'] }, { signalingUrls: [42] }, { signalingUrls: 'wss://a/ws' }]) {
      expect(parseRuntimeConfig(bad, base), JSON.stringify(bad)).to.equal(null);
    }
  });
});

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
