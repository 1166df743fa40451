/**
 * The chat panel on its own: what it says before the first message, and that "Save chat" is
 * offered only once there is something to save. Sending and saving in a call are in
 * test/e2e/call-features.test.ts.
 */
import { expect, fixture, html } from '@open-wc/testing';
import type { ChatEntry } from '../../client/core/chat.js';
import { setLanguage } from '../../client/i18n/index.js';
import '../../client/ui/chat-panel.js';
import type { RundeChat } from '../../client/ui/chat-panel.js';
import type { PeerId } from '../../signaling/protocol.js';
import { expectAccessible } from './a11y.js';

const $ = <T extends Element>(el: RundeChat, selector: string) => el.shadowRoot!.querySelector<T>(selector)!;
const shown = (el: Element) => el.getClientRects().length > 0;
const ENTRY: ChatEntry = { id: 'm1', from: 'peer-bob' as PeerId, name: 'Bob', text: 'Agenda first', at: Date.UTC(2026, 0, 5, 9, 30) };

describe('runde-chat', () => {
  before(() => setLanguage('en'));

  it('says, before the first message, where messages go and how long they last, and offers no "Save chat"', async () => {
    const el = await fixture<RundeChat>(html`<runde-chat style="height: 500px"></runde-chat>`);
    const empty = $(el, '.empty');
    expect(shown(empty)).to.equal(true);
    expect(empty.textContent).to.include('No messages yet');
    expect(empty.textContent).to.include('not stored on any server');
    expect(empty.textContent).to.include('People who join later also see earlier messages');
    expect(shown($(el, 'button[name=save]'))).to.equal(false);
    expect(shown($(el, 'ol'))).to.equal(false);
    expect(shown($(el, '.privacy')), 'the short line would repeat the note').to.equal(false);
    await expectAccessible(el);
  });

  it('shows the messages and "Save chat" once there is one, and the empty note no more', async () => {
    const el = await fixture<RundeChat>(html`<runde-chat style="height: 500px" .entries=${[ENTRY]}></runde-chat>`);
    expect(shown($(el, '.empty'))).to.equal(false);
    expect(shown($(el, 'button[name=save]'))).to.equal(true);
    expect($(el, 'li .text').textContent).to.equal('Agenda first');
    await expectAccessible(el);
  });

  it('keeps a line under the field that says who gets the messages, tied to the field', async () => {
    const el = await fixture<RundeChat>(html`<runde-chat style="height: 500px" .entries=${[ENTRY]}></runde-chat>`);
    const line = $(el, `#${$(el, 'textarea').getAttribute('aria-describedby')}`);
    expect(shown(line)).to.equal(true);
    expect(line.textContent).to.equal('Only the people in this meeting get your messages; no server keeps them.');
  });
});
