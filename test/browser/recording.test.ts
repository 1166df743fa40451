/**
 * Recording a meeting: a real call of two in one page (the real box, real WebRTC, fake devices),
 * each with the call's UI. Ada records; Bob, who joins while she does, is told; the file is
 * played back by the browser to check that it has picture and sound of the length recorded.
 */
import { expect, waitUntil } from '@open-wc/testing';
import type { Meeting } from '../../client/core/meeting.js';
import { setLanguage } from '../../client/i18n/index.js';
import '../../client/ui/call.js';
import type { RundeCall } from '../../client/ui/call.js';
import { CANVAS_HEIGHT, CANVAS_WIDTH } from '../../client/ui/recording-canvas.js';
import { expectAccessible } from './a11y.js';
import { hostedMeeting, joinMeeting } from './meetings.js';

const WAIT = { timeout: 25_000, interval: 100 };

/** A button of the call's control bar (or its "more" menu). */
function press(call: RundeCall, name: string): void {
  call.shadowRoot!.querySelector('runde-controls')!.shadowRoot!.querySelector<HTMLButtonElement>(`button[name=${name}]`)!.click();
}

const recorderOf = (call: RundeCall) => call.shadowRoot!.querySelector('runde-recording')!;
const barText = (call: RundeCall) => recorderOf(call).shadowRoot!.textContent!.replace(/\s+/g, ' ');

/** What the browser makes of a recorded file when it plays it. */
async function playBack(
  file: File,
): Promise<{ duration: number; width: number; height: number; audioBytes: number; drawn: number; peak: number; audioSeconds: number }> {
  const video = document.createElement('video');
  video.muted = true;
  video.src = URL.createObjectURL(file);
  document.body.append(video);
  try {
    await new Promise((resolve, reject) => {
      video.onloadedmetadata = resolve;
      video.onerror = () => reject(new Error(`the file does not play: ${video.error?.message}`));
    });
    // A recorder's WebM names no duration; seeking past the end makes the browser find it.
    if (!Number.isFinite(video.duration)) {
      video.currentTime = Number.MAX_SAFE_INTEGER;
      await waitUntil(() => Number.isFinite(video.duration), 'the duration found', WAIT);
      video.currentTime = 0;
    }
    const duration = video.duration;
    await video.play();
    const played = video as HTMLVideoElement & { webkitAudioDecodedByteCount: number };
    await waitUntil(() => video.currentTime > 1 && played.webkitAudioDecodedByteCount > 0, 'a second played, with sound', WAIT);
    // How much of the picture is not the empty background: the tiles were drawn.
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const g = canvas.getContext('2d', { willReadFrequently: true })!;
    g.drawImage(video, 0, 0);
    const pixels = g.getImageData(0, 0, canvas.width, canvas.height).data;
    // Camera pictures: pixels far from both empty colours (the stage's and an empty tile's).
    const far = (i: number, [r, g, b]: number[]) => Math.abs(pixels[i]! - r!) + Math.abs(pixels[i + 1]! - g!) + Math.abs(pixels[i + 2]! - b!) > 40;
    let differ = 0;
    for (let i = 0; i < pixels.length; i += 4) if (far(i, [0x1b, 0x1d, 0x21]) && far(i, [0x2c, 0x2f, 0x36])) differ++;
    // The sound itself, decoded: the fake microphones beep.
    const audio = await new AudioContext().decodeAudioData(await file.arrayBuffer());
    let peak = 0;
    for (let c = 0; c < audio.numberOfChannels; c++) for (const x of audio.getChannelData(c)) peak = Math.max(peak, Math.abs(x));
    return {
      peak,
      audioSeconds: audio.duration,
      duration,
      width: video.videoWidth,
      height: video.videoHeight,
      audioBytes: played.webkitAudioDecodedByteCount,
      drawn: differ / (pixels.length / 4),
    };
  } finally {
    video.pause();
    URL.revokeObjectURL(video.src);
    video.remove();
  }
}

describe('recording a meeting', () => {
  const meetings: Meeting[] = [];
  const calls: RundeCall[] = [];

  before(async () => {
    await setLanguage('en');
  });
  after(() => {
    for (const call of calls) call.remove();
    for (const m of meetings) m.leave();
  });

  it('records five seconds with everyone told, newcomers too, and a file that plays with picture and sound', async () => {
    const { host, keys } = await hostedMeeting();
    const join = async (name: string, isHost: boolean) => {
      const m = await joinMeeting(keys, name, isHost ? host : undefined);
      meetings.push(m);
      const call = document.createElement('runde-call');
      call.style.height = '360px';
      call.meeting = m;
      call.link = 'http://x/#s';
      document.body.append(call);
      calls.push(call);
      await call.updateComplete;
      return { m, call };
    };

    const ada = await join('Ada', false);
    // Ada alone for now: she records, and whoever comes later must be told.
    await waitUntil(() => ada.m.ownAdmission === 'in', 'Ada in', WAIT);
    press(ada.call, 'more');
    await ada.call.updateComplete;
    press(ada.call, 'record');
    const recorder = recorderOf(ada.call);
    await waitUntil(() => recorder.open, 'Ada is asked first', WAIT);
    await expectAccessible(recorder);
    expect(recorder.shadowRoot!.querySelector('dialog')!.textContent).to.contain('Ask everyone for their consent first');
    recorder.shadowRoot!.querySelector<HTMLButtonElement>('button[name=start-recording]')!.click();
    await waitUntil(() => recorder.active && ada.m.local.recording, 'Ada records', WAIT);
    await waitUntil(() => barText(ada.call).includes('You are recording'), "Ada's own bar", WAIT);
    await expectAccessible(recorder);

    const bob = await join('Bob', true);
    const adaAtBob = () => bob.m.peers.get(ada.m.local.id);
    await waitUntil(() => adaAtBob()?.connected && adaAtBob()?.recording, 'Bob learns that Ada records', WAIT);
    await waitUntil(() => barText(bob.call).includes('Ada is recording this meeting'), "Bob's bar says so", WAIT);
    const live = bob.call.shadowRoot!.querySelector('[aria-live]')!;
    await waitUntil(() => live.textContent!.includes('Ada is recording this meeting.'), 'Bob hears it (screen readers)', WAIT);
    // Bob's sound joins the mix once he is connected.
    await waitUntil(() => recorder.mixed >= 2, "Ada's and Bob's sound mixed", WAIT);

    // The people panel marks Ada, and Bob, a host, may ask her to stop.
    press(bob.call, 'people');
    await bob.call.updateComplete;
    const panel = bob.call.shadowRoot!.querySelector('runde-people')!;
    await panel.updateComplete;
    const adaRow = panel.shadowRoot!.querySelector(`li[data-peer="${ada.m.local.id}"]`)!;
    expect(adaRow.querySelector('.badge.recording')?.textContent).to.equal('Recording');

    // Five seconds by the recording's own clock.
    await waitUntil(() => recorder.elapsed >= 5_000, 'five seconds recorded', { timeout: 30_000, interval: 200 });
    bob.m.askToStopRecording(ada.m.local.id);
    await waitUntil(() => !ada.m.local.recording && !recorder.active, "Ada's browser stops at the host's request", WAIT);
    await waitUntil(() => !adaAtBob()?.recording, 'Bob sees it stop', WAIT);
    await waitUntil(() => !barText(bob.call).includes('is recording'), "Bob's bar goes", WAIT);
    const file = await recorder.stop();
    expect(file, 'a file').to.not.equal(null);
    await expectAccessible(recorder);
    expect(file!.type).to.equal('video/webm');
    expect(file!.name).to.match(/^meeting-recording-\d{4}-\d\d-\d\d-\d{4}\.webm$/);
    await waitUntil(() => barText(ada.call).includes('Your recording is ready'), 'Ada is offered the file', WAIT);

    const played = await playBack(file!);
    expect(played.width).to.equal(CANVAS_WIDTH);
    expect(played.height).to.equal(CANVAS_HEIGHT);
    // The recording's clock said five seconds or a little more when the request arrived.
    expect(played.duration).to.be.within(4.5, 12);
    expect(played.audioBytes).to.be.above(0);
    expect(played.peak, 'loudest sample of the mixed sound').to.be.above(0.05);
    expect(played.audioSeconds).to.be.within(played.duration - 1.5, played.duration + 1.5);
    expect(played.drawn, 'share of the picture showing the cameras').to.be.above(0.2);
    // Saved files are the person's business; this one goes, and nothing is downloaded on leaving.
    await recorder.discard();
  });
});
