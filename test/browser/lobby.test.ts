import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../client/ui/lobby.js';
import type { JoinRequest, RundeLobby } from '../../client/ui/lobby.js';
import { setLanguage } from '../../client/i18n/index.js';
import { DEFAULT_SETTINGS } from '../../client/core/settings.js';

const $ = <T extends Element>(el: RundeLobby, sel: string) => el.shadowRoot!.querySelector<T>(sel)!;
const ready = (el: RundeLobby) => waitUntil(() => !$<HTMLButtonElement>(el, 'button[name=join]').disabled, 'media ready', { timeout: 10_000 });

/**
 * The fake-device flags grant every request, so a denied or busy device cannot happen for real
 * in this browser; these tests make getUserMedia fail the way browsers do for one kind.
 */
function failVideoWith(name: string): () => void {
  const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c?: MediaStreamConstraints) => {
    if (c?.video) throw new DOMException('test', name);
    return original(c);
  };
  return () => (navigator.mediaDevices.getUserMedia = original);
}

describe('runde-lobby', () => {
  beforeEach(() => setLanguage('en'));

  it('previews the camera, meters the microphone, lists devices and has a Join button', async () => {
    const el = await fixture<RundeLobby>(html`<runde-lobby link="http://x/#s" .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
    await ready(el);
    const video = $<HTMLVideoElement>(el, 'video');
    await waitUntil(() => video.videoWidth > 0, 'preview plays');
    expect($<HTMLButtonElement>(el, 'button[name=join]').textContent!.trim()).to.equal('Join');
    expect($<HTMLSelectElement>(el, '#audio-device').options.length).to.be.at.least(1);
    expect($<HTMLSelectElement>(el, '#video-device').options.length).to.be.at.least(1);
    // The fake microphone beeps: the meter must move.
    await waitUntil(() => $<HTMLMeterElement>(el, 'meter').value > 0.01, 'level meter moves', { timeout: 10_000 });
  });

  it('offers the host link, with what it gives, to hosts only', async () => {
    const guest = await fixture<RundeLobby>(html`<runde-lobby link="http://x/#s" .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
    expect(guest.shadowRoot!.querySelector('button[name=copy-host]')).to.equal(null);
    const host = await fixture<RundeLobby>(html`<runde-lobby link="http://x/#s" hostLink="http://x/#host:h" .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
    const copy = $<HTMLButtonElement>(host, 'button[name=copy-host]');
    expect(copy.textContent!.trim()).to.equal('Copy host link');
    const hint = $<HTMLElement>(host, `#${copy.getAttribute('aria-describedby')}`);
    expect(hint.textContent).to.match(/^The host link gives host rights/);
  });

  it('says "Beitreten" in German', async () => {
    await setLanguage('de');
    const el = await fixture<RundeLobby>(html`<runde-lobby .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
    expect($<HTMLButtonElement>(el, 'button[name=join]').textContent!.trim()).to.equal('Beitreten');
  });

  it('hands name, choices and the stream to the call on Join', async () => {
    const settings = { ...DEFAULT_SETTINGS, name: 'Grace', micOn: false };
    const el = await fixture<RundeLobby>(html`<runde-lobby .settings=${settings}></runde-lobby>`);
    await ready(el);
    expect($<HTMLInputElement>(el, '#name').value).to.equal('Grace');
    expect($<HTMLInputElement>(el, 'input[name=mic-on]').checked).to.equal(false);
    const joining = oneEvent(el, 'runde-join');
    $<HTMLButtonElement>(el, 'button[name=join]').click();
    const { detail } = (await joining) as CustomEvent<JoinRequest>;
    expect(detail.name).to.equal('Grace');
    expect(detail.audio).to.equal(false);
    expect(detail.video).to.equal(true);
    expect(detail.stream.getAudioTracks()).to.have.length(1);
    expect(detail.stream.getVideoTracks()).to.have.length(1);
    el.remove();
    expect(detail.stream.getVideoTracks()[0].readyState, 'handed over, not stopped').to.equal('live');
    detail.stream.getTracks().forEach((t) => {
      t.stop();
    });
  });

  it('explains a blocked camera and lets the person join with sound only', async () => {
    const restore = failVideoWith('NotAllowedError');
    try {
      const el = await fixture<RundeLobby>(html`<runde-lobby .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
      await ready(el);
      const alert = $<HTMLElement>(el, '[role=alert]').textContent!;
      expect(alert).to.contain('The camera is blocked');
      expect(alert).to.contain('You can join with your microphone only.');
      const joining = oneEvent(el, 'runde-join');
      $<HTMLButtonElement>(el, 'button[name=join]').click();
      const { detail } = (await joining) as CustomEvent<JoinRequest>;
      expect(detail.stream.getVideoTracks()).to.have.length(0);
      expect(detail.stream.getAudioTracks()).to.have.length(1);
      detail.stream.getTracks().forEach((t) => {
        t.stop();
      });
    } finally {
      restore();
    }
  });

  it('says when another program holds the camera', async () => {
    const restore = failVideoWith('NotReadableError');
    try {
      const el = await fixture<RundeLobby>(html`<runde-lobby .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
      await ready(el);
      expect($<HTMLElement>(el, '[role=alert]').textContent).to.contain('Another program is using your camera');
    } finally {
      restore();
    }
  });
});
