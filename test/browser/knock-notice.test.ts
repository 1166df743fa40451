import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { peerId } from '../../signaling/protocol.js';
import { setLanguage } from '../../client/i18n/index.js';
import '../../client/ui/knock-notice.js';
import type { AdmissionRequest, Knock, RundeKnocks } from '../../client/ui/knock-notice.js';
import '../../client/ui/waiting-room.js';
import type { RundeWaiting } from '../../client/ui/waiting-room.js';
import { expectAccessible } from './a11y.js';

const CEM = peerId('C'.repeat(22));
const DAN = peerId('D'.repeat(22));
const KNOCKS: Knock[] = [
  { id: CEM, name: 'Cem' },
  { id: DAN, name: '' },
];

const buttons = (el: RundeKnocks, name: string) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>(`button[name=${name}]`)];

describe('runde-knocks', () => {
  beforeEach(() => setLanguage('en'));

  it('shows nothing while nobody knocks', async () => {
    const el = await fixture<RundeKnocks>(html`<runde-knocks></runde-knocks>`);
    expect(el.getBoundingClientRect().height).to.equal(0);
  });

  it('lists each knocker on a row of its own, with "Let all in" from two on', async () => {
    const el = await fixture<RundeKnocks>(html`<runde-knocks .knocks=${KNOCKS.slice(0, 1)}></runde-knocks>`);
    expect(buttons(el, 'admit-all')).to.have.length(0);
    el.knocks = KNOCKS;
    await el.updateComplete;
    const rows = [...el.shadowRoot!.querySelectorAll('li')].map((li) => li.querySelector('.who')!.textContent);
    expect(rows).to.deep.equal(['Cem wants to join.', 'Guest wants to join.']);
    expect(buttons(el, 'admit-all').map((b) => b.textContent)).to.deep.equal(['Let all in']);
    // Each "Let in" is described by its row, so that a screen reader says whom it lets in.
    const letIn = buttons(el, 'admit')[0];
    expect(el.shadowRoot!.getElementById(letIn.getAttribute('aria-describedby')!)!.textContent).to.equal('Cem wants to join.');
    for (const b of [...buttons(el, 'admit'), ...buttons(el, 'decline')]) expect(b.getBoundingClientRect().height).to.be.at.least(44);
    await expectAccessible(el);
  });

  it('asks to let in or decline one knocker, or to let all in', async () => {
    const el = await fixture<RundeKnocks>(html`<runde-knocks .knocks=${KNOCKS}></runde-knocks>`);
    const ask = async (button: HTMLButtonElement) => {
      const event = oneEvent(el, 'runde-admission');
      button.click();
      return ((await event) as CustomEvent<AdmissionRequest>).detail;
    };
    expect(await ask(buttons(el, 'admit')[1])).to.deep.equal({ action: 'admit', ids: [DAN] });
    expect(await ask(buttons(el, 'decline')[0])).to.deep.equal({ action: 'decline', ids: [CEM] });
    expect(await ask(buttons(el, 'admit-all')[0])).to.deep.equal({ action: 'admit', ids: [CEM, DAN] });
  });

  it('keeps the focus in the list when the focused row goes', async () => {
    const el = await fixture<RundeKnocks>(html`<runde-knocks .knocks=${KNOCKS}></runde-knocks>`);
    buttons(el, 'admit')[0].focus();
    el.knocks = KNOCKS.slice(1);
    await el.updateComplete;
    expect(el.shadowRoot!.activeElement).to.equal(buttons(el, 'admit')[0]);
    expect(el.shadowRoot!.activeElement!.getAttribute('aria-describedby')).to.equal(`knock-${DAN}`);
  });
});

describe('runde-waiting', () => {
  let stream: MediaStream;
  before(async () => {
    await setLanguage('en');
    stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 } });
  });
  after(() => {
    for (const track of stream.getTracks()) track.stop();
  });

  it('shows the preview, the name and where things stand, with the focus on its heading', async () => {
    const el = await fixture<RundeWaiting>(
      html`<runde-waiting .stream=${stream} name="Cem" video locked message="Waiting for a host to let you in."></runde-waiting>`,
    );
    const root = el.shadowRoot!;
    expect(root.activeElement).to.equal(root.querySelector('h1'));
    expect(root.querySelector('h1')!.textContent).to.equal('This meeting is locked');
    expect(root.querySelector('video')!.srcObject).to.equal(stream);
    expect(root.textContent).to.contain('You are joining as Cem.');
    expect(root.querySelector('[role=status]')!.textContent).to.equal('Waiting for a host to let you in.');
    await expectAccessible(el);
  });

  it('Cancel asks to leave', async () => {
    const el = await fixture<RundeWaiting>(html`<runde-waiting .stream=${stream} message="Checking"></runde-waiting>`);
    expect(el.shadowRoot!.querySelector('h1')!.textContent).to.equal('Joining the meeting…');
    const leave = oneEvent(el, 'runde-leave');
    el.shadowRoot!.querySelector<HTMLButtonElement>('button[name=cancel]')!.click();
    expect(((await leave) as CustomEvent).composed).to.equal(true);
  });
});
