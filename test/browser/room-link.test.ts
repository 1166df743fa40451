import { expect } from '@open-wc/testing';
import { isRoomId } from '../../signaling/protocol.js';
import { linkFor, newSecret, roomIdFor, secretFromLink } from '../../client/core/room-link.js';

describe('meeting links', () => {
  it('makes secrets of 128 random bits in base64url', () => {
    const secrets = new Set(Array.from({ length: 100 }, newSecret));
    expect(secrets.size).to.equal(100);
    for (const s of secrets) expect(s).to.match(/^[A-Za-z0-9_-]{22}$/);
  });

  it('derives a room id that the box accepts and that does not reveal the secret', async () => {
    const secret = newSecret();
    const room = await roomIdFor(secret);
    expect(isRoomId(room)).to.equal(true);
    expect(room).not.to.contain(secret);
    expect(await roomIdFor(secret)).to.equal(room);
    expect(await roomIdFor(newSecret())).not.to.equal(room);
  });

  it('matches the derivation documented in PROTOCOL.md', async () => {
    const data = new TextEncoder().encode('runde-room-v1:' + 'A'.repeat(22));
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
    const expected = btoa(String.fromCharCode(...digest)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(await roomIdFor('A'.repeat(22))).to.equal(expected);
  });

  it('reads the secret from a full link, a fragment or the bare secret, and refuses short ones', () => {
    const s = newSecret();
    expect(secretFromLink(`https://meet.example.org/#${s}`)).to.equal(s);
    expect(secretFromLink(`  #${s} `)).to.equal(s);
    expect(secretFromLink(s)).to.equal(s);
    expect(secretFromLink('https://meet.example.org/#short')).to.equal(null);
    expect(secretFromLink('https://meet.example.org/')).to.equal(null);
    expect(secretFromLink(`https://x/#${s.slice(0, 21)}`)).to.equal(null);
  });

  it('puts the secret in the fragment and drops the query', () => {
    expect(linkFor('S'.repeat(22), 'https://meet.example.org/?lang=de#old')).to.equal(`https://meet.example.org/#${'S'.repeat(22)}`);
  });
});
