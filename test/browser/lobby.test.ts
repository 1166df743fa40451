import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../client/ui/lobby.js';
import type { JoinRequest, RundeLobby } from '../../client/ui/lobby.js';
import { setLanguage } from '../../client/i18n/index.js';
import { DEFAULT_SETTINGS } from '../../client/core/settings.js';

const $ = <T extends Element>(el: RundeLobby, sel: string) => el.shadowRoot!.querySelector<T>(sel)!;
/** Waits until both devices started: the preview plays and the microphone meter moves (the fake one beeps). */
async function ready(el: RundeLobby): Promise<void> {
  await waitUntil(() => $<HTMLVideoElement>(el, 'video').videoWidth > 0, 'preview plays', { timeout: 10_000 });
  await waitUntil(() => $<HTMLMeterElement>(el, 'meter').value > 0.01, 'level meter moves', { timeout: 10_000 });
}
/** Waits until the devices have started or failed (a problem is shown). */
const settled = (el: RundeLobby) => waitUntil(() => el.shadowRoot!.querySelector('[role=alert]'), 'a problem shown', { timeout: 10_000 });

/**
 * A camera that starts only when the test says so (`open()`), as a slow camera does; the
 * microphone starts at once. `named`: what enumerateDevices tells before the camera is open
 * (names only where permission was given before).
 */
function slowCamera(named: boolean): { open: () => void; restore: () => void } {
  const media = navigator.mediaDevices;
  const original = { getUserMedia: media.getUserMedia, enumerateDevices: media.enumerateDevices };
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  media.getUserMedia = async (c?: MediaStreamConstraints) => {
    if (c?.video) await gate;
    return original.getUserMedia.call(media, c);
  };
  media.enumerateDevices = async () =>
    (await original.enumerateDevices.call(media)).map(
      (d) => ({ deviceId: d.deviceId, groupId: d.groupId, kind: d.kind, label: named ? d.label || `${d.kind} ${d.deviceId}` : '' }) as MediaDeviceInfo,
    );
  return { open, restore: () => Object.assign(media, original) };
}

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
    expect($<HTMLButtonElement>(el, 'button[name=join]').textContent!.trim()).to.equal('Join');
    expect($<HTMLSelectElement>(el, '#audio-device').options.length).to.be.at.least(1);
    expect($<HTMLSelectElement>(el, '#video-device').options.length).to.be.at.least(1);
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

  it('opens the invitation (its own chunk) with the participant link, and the host link only for hosts', async () => {
    for (const hostLink of ['', 'http://x/#host:h']) {
      const el = await fixture<RundeLobby>(html`<runde-lobby link="http://x/#s" .hostLink=${hostLink} .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
      $<HTMLButtonElement>(el, 'button[name=invite]').click();
      const invite = el.shadowRoot!.querySelector('runde-invite')!;
      await waitUntil(() => invite.open && invite.text.includes('http://x/#s'), 'the invitation open and written');
      expect(invite.shadowRoot!.querySelector('#host-link') !== null, hostLink || 'no host link').to.equal(hostLink !== '');
      expect(invite.text).not.to.contain('#host:');
      invite.close();
    }
  });

  it('says so when the chosen background cannot start (here its segmenter is not served), and goes back to the camera as it is', async () => {
    const el = await fixture<RundeLobby>(html`<runde-lobby link="http://x/#s" .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
    await ready(el);
    const select = $<HTMLSelectElement>(el, 'select[name=background]');
    select.value = 'blur-strong';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => el.shadowRoot!.querySelector('p[role=alert]'), 'the sentence', { timeout: 30_000 });
    expect($(el, 'p[role=alert]').textContent).to.equal('The background could not be changed in this browser. Your camera is sent as it is.');
    await el.updateComplete;
    expect($<HTMLSelectElement>(el, 'select[name=background]').value, 'the choice is what is sent').to.equal('none');
    const preview = $<HTMLVideoElement>(el, 'video').srcObject as MediaStream;
    expect(preview.getVideoTracks()[0]!.constructor.name, 'the preview shows the camera').to.equal('MediaStreamTrack');
    const joining = oneEvent(el, 'runde-join');
    $<HTMLButtonElement>(el, 'button[name=join]').click();
    const { detail: join } = (await joining) as CustomEvent<JoinRequest>;
    expect(join.background).to.equal('none');
    expect(join.effect).to.equal(null);
    expect(join.stream.getVideoTracks()).to.have.length(1);
    join.stream.getTracks().forEach((t) => {
      t.stop();
    });
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

  it('says the camera is starting, and lets the person join at once, handing the camera over when it comes', async () => {
    const camera = slowCamera(false);
    try {
      const el = await fixture<RundeLobby>(html`<runde-lobby .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
      expect($<HTMLElement>(el, '.preview p').textContent).to.equal('Camera is starting…');
      expect($<HTMLButtonElement>(el, 'button[name=join]').disabled, 'Join does not wait for the camera').to.equal(false);
      const picker = $<HTMLSelectElement>(el, '#video-device');
      expect(picker.disabled).to.equal(true);
      expect(picker.getAttribute('aria-busy')).to.equal('true');
      expect(picker.options[0].textContent).to.equal('Loading devices…');
      const joining = oneEvent(el, 'runde-join');
      $<HTMLButtonElement>(el, 'button[name=join]').click();
      const { detail } = (await joining) as CustomEvent<JoinRequest>;
      expect(detail.video, 'the choice is kept').to.equal(true);
      expect(detail.stream.getVideoTracks()).to.have.length(0);
      expect(detail.pending.length).to.be.at.least(1);
      el.remove();
      camera.open();
      const tracks = (await Promise.all(detail.pending)).filter((t) => t !== null);
      const video = tracks.find((t) => t.kind === 'video');
      expect(video?.readyState, 'the late camera goes to the call, live').to.equal('live');
      for (const t of [...tracks, ...detail.stream.getTracks()]) t.stop();
    } finally {
      camera.restore();
    }
  });

  it('offers the camera picker while the camera starts when the devices have names', async () => {
    const camera = slowCamera(true);
    try {
      const el = await fixture<RundeLobby>(html`<runde-lobby .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
      const picker = $<HTMLSelectElement>(el, '#video-device');
      await waitUntil(() => !picker.disabled, 'the camera picker usable', { timeout: 10_000 });
      expect($<HTMLElement>(el, '.preview p').textContent, 'the camera is still starting').to.equal('Camera is starting…');
      expect([...picker.options].map((o) => o.textContent)).not.to.include('Loading devices…');
      camera.open();
      await ready(el);
    } finally {
      camera.restore();
    }
  });

  it('says the server cannot be reached, and joins on Join as soon as it answers', async () => {
    const el = await fixture<RundeLobby>(html`<runde-lobby .settings=${DEFAULT_SETTINGS} .serverRetryAt=${Date.now() + 4_000}></runde-lobby>`);
    const notice = el.shadowRoot!.querySelector('runde-server-notice')!;
    await notice.updateComplete;
    const text = () => notice.shadowRoot!.textContent!.replace(/\s+/g, ' ');
    expect(text()).to.match(/The meeting server cannot be reached right now\. Trying again in [1-4] s…/);
    expect(notice.shadowRoot!.querySelector('button[name=try-now]')!.textContent).to.equal('Try now');
    let joined: JoinRequest | null = null;
    el.addEventListener('runde-join', (e) => (joined = (e as CustomEvent<JoinRequest>).detail));
    $<HTMLButtonElement>(el, 'button[name=join]').click();
    await el.updateComplete;
    await notice.updateComplete;
    expect(text()).to.contain('You will join as soon as the meeting server answers.');
    expect(joined, 'no join while the server is silent').to.equal(null);
    const joining = oneEvent(el, 'runde-join');
    el.serverRetryAt = 0;
    const { detail } = (await joining) as CustomEvent<JoinRequest>;
    expect(notice.shadowRoot!.textContent!.trim()).to.equal('');
    await Promise.all(detail.pending);
    el.remove();
  });

  it('explains a blocked camera and lets the person join with sound only', async () => {
    const restore = failVideoWith('NotAllowedError');
    try {
      const el = await fixture<RundeLobby>(html`<runde-lobby .settings=${DEFAULT_SETTINGS}></runde-lobby>`);
      await settled(el);
      await waitUntil(() => $<HTMLMeterElement>(el, 'meter').value > 0.01, 'level meter moves', { timeout: 10_000 });
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
      await settled(el);
      expect($<HTMLElement>(el, '[role=alert]').textContent).to.contain('Another program is using your camera');
    } finally {
      restore();
    }
  });
});
