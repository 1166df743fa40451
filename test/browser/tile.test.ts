import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import '../../client/ui/tile.js';
import type { RundeTile, ViewSize } from '../../client/ui/tile.js';
import { LARGE_VIEW_HEIGHT } from '../../client/core/bandwidth.js';
import { troubleCount } from '../../client/core/diagnostics.js';
import { setLanguage } from '../../client/i18n/index.js';

async function cameraStream(): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ video: true, audio: true });
}

describe('runde-tile', () => {
  beforeEach(() => setLanguage('en'));

  it('reports the size it shows the peer in, and 0×0 while the page is hidden', async () => {
    const sizes: ViewSize[] = [];
    const el = await fixture<RundeTile>(html`<div style="width: 320px; height: 180px"
      @runde-view-size=${(e: CustomEvent) => sizes.push(e.detail)}><runde-tile peer="p1" name="Bob" style="display: block; width: 100%; height: 100%"></runde-tile></div>`);
    await waitUntil(() => sizes.length > 0, 'a first report');
    expect(sizes.at(-1)).to.deep.equal({ peer: 'p1', width: 320, height: 180, role: 'thumbnail' });
    // Headless Chromium keeps every page visible (a tab brought to front or a window minimised
    // over CDP changes nothing), so the test sets the state a browser reports for a hidden page.
    const setVisibility = (state: DocumentVisibilityState | null) => {
      if (state) Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
      else delete (document as { visibilityState?: unknown }).visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    };
    try {
      setVisibility('hidden');
      expect(sizes.at(-1)).to.deep.equal({ peer: 'p1', width: 0, height: 0, role: 'thumbnail' });
    } finally {
      setVisibility(null);
    }
    expect(document.visibilityState).to.equal('visible');
    expect(sizes.at(-1)).to.deep.equal({ peer: 'p1', width: 320, height: 180, role: 'thumbnail' });
    el.remove();
  });

  it('reports its role: large when prominent (main or active speaker) or at least LARGE_VIEW_HEIGHT CSS pixels high, else a thumbnail', async () => {
    const sizes: ViewSize[] = [];
    const box = await fixture<HTMLDivElement>(html`<div class="box" @runde-view-size=${(e: CustomEvent) => sizes.push(e.detail)}>
      <runde-tile peer="p1" name="Bob" class="fill"></runde-tile></div>`);
    const setSize = (w: number, h: number) => {
      box.style.setProperty('width', `${w}px`);
      box.style.setProperty('height', `${h}px`);
    };
    const tile = box.querySelector('runde-tile') as RundeTile;
    tile.style.setProperty('display', 'block');
    tile.style.setProperty('width', '100%');
    tile.style.setProperty('height', '100%');
    setSize(320, 180);
    await waitUntil(() => sizes.at(-1)?.height === 180, 'a first report');
    expect(sizes.at(-1)?.role).to.equal('thumbnail');
    tile.prominent = true;
    await waitUntil(() => sizes.at(-1)?.role === 'large', 'the active speaker is large at any size');
    expect(sizes.at(-1)).to.deep.equal({ peer: 'p1', width: 320, height: 180, role: 'large' });
    tile.prominent = false;
    await waitUntil(() => sizes.at(-1)?.role === 'thumbnail', 'a thumbnail again');
    setSize(640, LARGE_VIEW_HEIGHT);
    await waitUntil(() => sizes.at(-1)?.role === 'large', 'large by its size');
  });

  it('paused to save bandwidth: the video and its frozen frame go, a calm card with the initial and a caption instead', async () => {
    const stream = await cameraStream();
    try {
      const el = await fixture<RundeTile>(html`<runde-tile name="Bob" .stream=${stream} style="display: block; width: 480px; height: 270px"></runde-tile>`);
      const video = el.shadowRoot!.querySelector('video')!;
      expect(getComputedStyle(video).display).to.equal('block');
      el.videoPaused = true;
      await el.updateComplete;
      expect(getComputedStyle(video).display, 'no frozen last frame under the card').to.equal('none');
      expect(el.shadowRoot!.querySelector('.avatar')!.textContent!.trim()).to.equal('B');
      expect(el.shadowRoot!.querySelector('.caption')!.textContent).to.equal('Video paused to save bandwidth');
      el.videoPaused = false;
      await el.updateComplete;
      expect(getComputedStyle(video).display).to.equal('block');
      expect(el.shadowRoot!.querySelector('.placeholder')).to.equal(null);
    } finally {
      for (const t of stream.getTracks()) t.stop();
    }
  });

  it('with no name yet shows no "Guest" and no letter; connecting a long while it says it keeps trying', async () => {
    const el = await fixture<RundeTile>(html`<runde-tile connecting style="display: block; width: 480px; height: 270px"></runde-tile>`);
    expect(el.shadowRoot!.querySelector('.label'), 'no name label while the name is unknown').to.equal(null);
    expect(el.shadowRoot!.querySelector('.avatar')!.textContent!.trim()).to.equal('');
    expect(el.shadowRoot!.querySelector('.caption')!.textContent).to.equal('Connecting…');
    el.stuck = true;
    el.name = 'Cem';
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.caption')!.textContent).to.equal('Cannot connect yet. Still trying…');
    await setLanguage('de');
    el.requestUpdate();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.caption')!.textContent).to.equal('Noch keine Verbindung. Runde versucht es weiter…');
  });

  it('cuts a long name with an ellipsis on one line, keeps it whole in the text, and keeps the badges apart', async () => {
    const name = 'Cem Özdemir-Schnarrenberger von Hohenzollern';
    const el = await fixture<RundeTile>(
      html`<runde-tile name=${name} muted .hand=${2} quality="good" style="display: block; width: 160px; height: 90px"></runde-tile>`,
    );
    const label = el.shadowRoot!.querySelector<HTMLElement>('.name')!;
    expect(label.textContent).to.equal(name);
    expect(label.scrollWidth, 'cut').to.be.above(label.clientWidth);
    expect(label.getBoundingClientRect().height, 'one line').to.be.below(24);
    expect(el.shadowRoot!.querySelector<HTMLElement>('.label')!.getBoundingClientRect().right).to.be.at.most(el.getBoundingClientRect().right);
    expect(el.hasAttribute('hand-up'), 'a raised hand outlines the tile').to.equal(true);
    // In a thumbnail the signal bars give way, so that the hand and the name never overlap them.
    expect(getComputedStyle(el.shadowRoot!.querySelector('.quality')!).display).to.equal('none');
    const hand = el.shadowRoot!.querySelector('.hand')!.getBoundingClientRect();
    const nameBox = el.shadowRoot!.querySelector('.label')!.getBoundingClientRect();
    expect(hand.bottom <= nameBox.top || hand.top >= nameBox.bottom, 'hand and name apart').to.equal(true);
  });

  it('shows the name and plays the stream', async () => {
    const stream = await cameraStream();
    const el = await fixture<RundeTile>(html`<runde-tile name="Ada" .stream=${stream}></runde-tile>`);
    expect(el.shadowRoot!.querySelector('.name')!.textContent).to.equal('Ada');
    const video = el.shadowRoot!.querySelector('video')!;
    expect(video.srcObject).to.equal(stream);
    expect(video.hidden).to.equal(false);
    stream.getTracks().forEach((t) => {
      t.stop();
    });
  });

  it('starts a video the browser would not autoplay at the next key press or tap', async () => {
    // This Chromium runs with autoplay allowed, so the refusal a browser without a user gesture
    // gives (Safari) is played here by the first play() call.
    const realPlay = HTMLMediaElement.prototype.play;
    let calls = 0;
    let refused: Promise<void> | null = null;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      calls++;
      if (calls === 1) return (refused = Promise.reject(new DOMException('needs a gesture', 'NotAllowedError')));
      return realPlay.call(this);
    };
    const stream = await cameraStream();
    try {
      const el = await fixture<RundeTile>(html`<runde-tile name="Bob" .stream=${stream}></runde-tile>`);
      const video = el.shadowRoot!.querySelector('video')!;
      video.pause(); // the autoplay attribute must not start it behind the test's back
      expect(calls).to.equal(1);
      // The tile's handler of the refusal was attached first, so it has run when this one has.
      await refused!.catch(() => {});
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
      expect(calls, 'play tried again on the gesture').to.equal(2);
      await waitUntil(() => !video.paused, 'playing after the gesture');
      document.dispatchEvent(new KeyboardEvent('keydown', { key: 'b' }));
      expect(calls, 'only once').to.equal(2);
    } finally {
      HTMLMediaElement.prototype.play = realPlay;
      stream.getTracks().forEach((t) => {
        t.stop();
      });
    }
  });

  it('plays through the chosen speaker, and a refused speaker is counted, not dropped', async () => {
    const stream = await cameraStream(); // device ids are only given once media was allowed
    try {
      const speakers = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput' && d.deviceId !== 'default');
      expect(speakers.length, 'the fake speakers').to.be.at.least(1);
      const el = await fixture<RundeTile>(html`<runde-tile name="Bob" peer="p1" .stream=${stream}></runde-tile>`);
      const video = el.shadowRoot!.querySelector('video')!;
      el.sinkId = speakers[0].deviceId;
      await waitUntil(() => video.sinkId === speakers[0].deviceId, 'the video plays through the chosen speaker');

      // A speaker that is gone (unplugged since the list was made): the browser refuses.
      const refusals = troubleCount('speaker-switch-failed');
      el.sinkId = 'a-speaker-that-is-gone';
      await waitUntil(() => troubleCount('speaker-switch-failed') === refusals + 1, 'the refusal counted');
      expect(video.sinkId, 'still the speaker that worked').to.equal(speakers[0].deviceId);
    } finally {
      stream.getTracks().forEach((t) => {
        t.stop();
      });
    }
  });

  it('leaves the speaker of the own, silent view alone', async () => {
    const stream = await cameraStream();
    try {
      const [speaker] = (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput' && d.deviceId !== 'default');
      const el = await fixture<HTMLElement>(html`<div><runde-tile local name="Ada"></runde-tile><runde-tile name="Bob" peer="p1"></runde-tile></div>`);
      const [own, other] = el.querySelectorAll('runde-tile');
      own.sinkId = speaker.deviceId;
      other.sinkId = speaker.deviceId;
      // Switched in the same round, own first: once the other's has, the own one's would have.
      await waitUntil(() => other.shadowRoot!.querySelector('video')!.sinkId === speaker.deviceId, 'the other switched', { timeout: 10_000 });
      expect(own.shadowRoot!.querySelector('video')!.sinkId).to.equal('');
    } finally {
      stream.getTracks().forEach((t) => {
        t.stop();
      });
    }
  });

  it('marks a muted microphone with a labelled icon', async () => {
    const el = await fixture<RundeTile>(html`<runde-tile name="Ada" muted></runde-tile>`);
    const mark = el.shadowRoot!.querySelector('.muted')!;
    expect(mark.getAttribute('aria-label')).to.equal('Microphone off');
    el.muted = false;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('.muted')).to.equal(null);
  });

  it('shows the initial instead of video when the camera is off', async () => {
    const stream = await cameraStream();
    const el = await fixture<RundeTile>(html`<runde-tile name="ada" video-off .stream=${stream}></runde-tile>`);
    expect(el.shadowRoot!.querySelector('video')!.hidden).to.equal(true);
    expect(el.shadowRoot!.querySelector('.avatar')!.textContent!.trim()).to.equal('A');
    stream.getTracks().forEach((t) => {
      t.stop();
    });
  });

  it('mirrors and silences the own view only', async () => {
    const stream = await cameraStream();
    const own = await fixture<RundeTile>(html`<runde-tile local mirrored .stream=${stream}></runde-tile>`);
    const video = own.shadowRoot!.querySelector('video')!;
    for (const track of stream.getTracks()) track.stop();
    expect(getComputedStyle(video).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
    expect(video.muted).to.equal(true);
    const other = await fixture<RundeTile>(html`<runde-tile></runde-tile>`);
    const otherVideo = other.shadowRoot!.querySelector('video')!;
    expect(getComputedStyle(otherVideo).transform).to.equal('none');
    expect(otherVideo.muted).to.equal(false);
  });
});
