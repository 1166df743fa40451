import { expect, waitUntil } from '@open-wc/testing';
import { parseRuntimeConfig } from '../../signaling/runtime-config.js';
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

  it('reads the deployer\'s accessibility statement', () => {
    const statement = {
      organisation: ' Stadt Musterstadt ',
      contact: 'barrierefreiheit@musterstadt.test',
      feedbackUrl: 'mailto:barrierefreiheit@musterstadt.test',
      date: '2024-02-29',
      method: 'third-party',
      status: 'none',
      limitations: { de: ['Videos ohne Untertitel'], fr: [] },
      enforcementBody: 'Défenseur des droits',
      enforcementUrl: 'https://defenseur.test/saisir',
    };
    expect(parseRuntimeConfig({ accessibility: statement }, base)).to.deep.equal({
      accessibility: { ...statement, organisation: 'Stadt Musterstadt' },
    });
    expect(parseRuntimeConfig({ accessibility: {} }, base), 'nothing completed yet').to.deep.equal({ accessibility: {} });
  });

  it('refuses a statement with an unknown field, a wrong type, an impossible date or a foreign URL scheme', () => {
    const bad: unknown[] = [
      'x',
      [],
      { contactt: 'a@b.test' },
      { contact: '' },
      { contact: '   ' },
      { contact: 42 },
      { organisation: 'x'.repeat(501) },
      { feedbackUrl: 'javascript:alert(1)' },
      { feedbackUrl: '/relative' },
      { enforcementUrl: 'mailto:a@b.test' },
      { date: '2025-02-30' },
      { date: '30.06.2025' },
      { date: 20250630 },
      { method: 'audit' },
      { status: 'mostly' },
      { limitations: ['not per language'] },
      { limitations: { it: ['x'] } },
      { limitations: { de: 'x' } },
      { limitations: { de: [''] } },
      { limitations: { de: Array(31).fill('x') } },
    ];
    for (const accessibility of bad) {
      expect(parseRuntimeConfig({ accessibility, signalingUrls: ['wss://a.example.org/ws'] }, base), JSON.stringify(accessibility)).to.equal(null);
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
