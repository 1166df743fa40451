/**
 * The call screen with real meetings through the real box: the notices people see (joined, hand
 * raised), a person who cannot be reached, and the presenting banner.
 */
import { expect, waitUntil } from '@open-wc/testing';
import { meetingKeys } from '../../client/core/crypto.js';
import { hostKeyFrom, newHostSecret } from '../../client/core/host-key.js';
import { Meeting } from '../../client/core/meeting.js';
import { newVisitIdentity } from '../../client/core/visit-identity.js';
import { setLanguage } from '../../client/i18n/index.js';
import '../../client/ui/call.js';
import type { RundeCall } from '../../client/ui/call.js';
import { MeetingController } from '../../client/ui/meeting-controller.js';
import { expectAccessible } from './a11y.js';

const WAIT = { timeout: 25_000, interval: 100 };
const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

describe('the call screen', () => {
  const meetings: Meeting[] = [];
  let call: RundeCall;
  let join: (name: string, o?: { host?: boolean; relayOnly?: boolean }) => Promise<Meeting>;
  const stuckAfter = MeetingController.stuckAfterMs;
  const $ = (selector: string) => call.shadowRoot!.querySelector<HTMLElement>(selector);

  before(async () => {
    await setLanguage('en');
    MeetingController.stuckAfterMs = 1_500; // 20 s in the app
    const host = await hostKeyFrom(newHostSecret());
    const keys = { ...(await meetingKeys(host.meetingSecret)), hostKeyId: host.meetingSecret };
    join = async (name, o = {}) => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
      const m = new Meeting({
        identity: await newVisitIdentity(),
        signalingUrl: wsUrl,
        ...keys,
        ...(o.host ? { host } : {}),
        name,
        stream,
        audio: true,
        video: true,
        relayOnly: o.relayOnly ?? false,
      });
      m.join();
      meetings.push(m);
      return m;
    };
    const ada = await join('Ada', { host: true });
    await waitUntil(() => ada.ownAdmission === 'in', 'Ada in', WAIT);
    call = document.createElement('runde-call');
    call.style.height = '600px';
    call.style.display = 'block';
    call.meeting = ada;
    call.link = 'http://x/#s';
    document.body.append(call);
    await call.updateComplete;
  });

  after(() => {
    MeetingController.stuckAfterMs = stuckAfter;
    call.remove();
    for (const m of meetings) m.leave();
  });

  it('shows who joined and who raised a hand as one notice at a time, besides the live region', async () => {
    const bob = await join('Bob');
    await waitUntil(() => $('.toast')?.textContent === 'Bob joined the meeting.', 'the join notice', WAIT);
    expect($('.toast')!.getAttribute('aria-hidden'), 'screen readers hear the live region instead').to.equal('true');
    expect(call.shadowRoot!.querySelector('[aria-live]')!.textContent).to.contain('Bob joined the meeting.');
    bob.setHand(true);
    await waitUntil(() => $('.toast')?.textContent === 'Bob raised their hand.', 'the hand notice', WAIT);
    expect(call.shadowRoot!.querySelectorAll('.toast').length, 'replaced, not stacked').to.equal(1);
    const tile = $(`runde-tile[data-peer="${bob.local.id}"]`)!;
    await waitUntil(() => tile.hasAttribute('hand-up'), "Bob's tile outlined", WAIT);
    await expectAccessible(call);
  });

  it('says that a person who cannot be reached is still tried, and what may help', async () => {
    // Relay only with no relay server: Cem gathers no address at all, so no connection can form.
    const cem = await join('Cem', { relayOnly: true });
    const tile = () => $(`runde-tile[data-peer="${cem.local.id}"]`);
    await waitUntil(() => tile(), "Cem's tile", WAIT);
    const caption = () => tile()!.shadowRoot!.querySelector('.caption')?.textContent;
    expect(caption()).to.equal('Connecting…');
    await waitUntil(() => caption() === 'Cannot connect yet. Still trying…', 'stuck after a while', WAIT);
    const status = $('.status')!;
    expect(status.classList.contains('warn')).to.equal(true);
    expect(status.textContent).to.contain('Runde cannot reach Cem yet and keeps trying.');
    expect(status.textContent).to.contain('Hide my network address');
    cem.leave();
    await waitUntil(() => !tile(), 'Cem gone', WAIT);
    await waitUntil(() => !$('.status')!.textContent!.includes('cannot reach'), 'the warning goes with him', WAIT);
  });

  it('tells the sharer that they present, with Stop and a small preview of their own screen', async () => {
    const ada = meetings[0]!;
    // A canvas stands in for a screen (no picker in a test); the call treats it as any screen.
    const canvas = document.createElement('canvas');
    canvas.getContext('2d')!.fillRect(0, 0, 10, 10);
    ada.shareScreen(canvas.captureStream(5));
    await waitUntil(() => $('.presenting'), 'the presenting banner', WAIT);
    expect($('.presenting')!.textContent).to.contain('You are presenting your screen to everyone.');
    expect($('.presenting')!.getAttribute('aria-label')).to.equal('Your screen');
    expect(call.shadowRoot!.querySelector('runde-tile.main'), 'no own screen full size').to.equal(null);
    expect($('[data-own-screen]')!.getBoundingClientRect().width).to.be.below(200);
    expect(call.shadowRoot!.textContent).not.to.contain("You's");
    await expectAccessible(call);
    ($('button[name=stop-presenting]') as HTMLButtonElement).click();
    await waitUntil(() => !$('.presenting'), 'the banner goes with Stop', WAIT);
    expect(ada.local.screen).to.equal(null);
  });
});
