/**
 * Shaping applied to real RTCPeerConnections (applyPlan through Meeting); the plan itself
 * (planVideo) is tested in node: test/node/bandwidth.test.ts.
 */
import { newVisitIdentity } from '../../client/core/visit-identity.js';
import { expect, waitUntil } from '@open-wc/testing';
import { AUDIO_KBPS, BITRATE_TOLERANCE, LARGE_VIEW_HEIGHT, MIN_VIDEO_KBPS, THUMBNAIL_FPS } from '../../client/core/bandwidth.js';
import { meetingKeys } from '../../client/core/crypto.js';
import { Meeting } from '../../client/core/meeting.js';
import { newSecret } from '../../client/core/room-link.js';
import { inbound } from './inbound.js';
import '../../client/ui/tile.js';
import type { RundeTile, ViewSize } from '../../client/ui/tile.js';

const WAIT = { timeout: 25_000, interval: 100 };
const { wsUrl } = (await (await fetch('/__runde-box.json')).json()) as { wsUrl: string };

describe('shaping in a real mesh of four', () => {
  const meetings: Meeting[] = [];
  afterEach(() => {
    for (const m of meetings.splice(0)) m.leave();
  });

  async function start(keys: Awaited<ReturnType<typeof meetingKeys>>, name: string, uploadKbps = 2500): Promise<Meeting> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    const m = new Meeting({ identity: await newVisitIdentity(), signalingUrl: wsUrl, ...keys, name, stream, audio: true, video: true, uploadKbps });
    const joined = new Promise<void>((resolve) => m.on('joined', () => resolve()));
    m.join();
    await joined;
    meetings.push(m);
    return m;
  }

  const videoParams = (from: Meeting, to: Meeting) => {
    const sender = from
      .linkTo(to.local.id)!
      .connection.getSenders()
      .find((s) => s.track?.kind === 'video');
    return sender!.getParameters().encodings[0];
  };
  const audioParams = (from: Meeting, to: Meeting) => {
    const sender = from
      .linkTo(to.local.id)!
      .connection.getSenders()
      .find((s) => s.track?.kind === 'audio');
    return sender!.getParameters().encodings[0] as RTCRtpEncodingParameters & { networkPriority?: string };
  };

  it('follows the policy per receiver, and a smaller tile lowers the resolution sent to it', async () => {
    const keys = await meetingKeys(newSecret());
    for (const n of ['Ada', 'Bob', 'Cem', 'Dev']) await start(keys, n);
    const [ada, bob, cem, dev] = meetings;
    await waitUntil(() => meetings.every((m) => [...m.peers.values()].filter((p) => p.connected).length === 3), 'all connected', WAIT);
    await waitUntil(() => [bob, cem, dev].every((r) => videoParams(ada, r).maxBitrate), 'parameters applied', WAIT);
    for (const r of [bob, cem, dev]) {
      const plan = ada.plans.get(r.local.id)!;
      const enc = videoParams(ada, r);
      expect(enc.maxBitrate!).to.be.at.most(plan.maxBitrateKbps * 1000);
      expect(enc.maxBitrate!).to.be.at.least(plan.maxBitrateKbps * 1000 * (1 - BITRATE_TOLERANCE));
      expect(enc.scaleResolutionDownBy).to.equal(plan.scaleResolutionDownBy);
      expect(enc.maxFramerate).to.equal(plan.maxFramerate);
      expect(audioParams(ada, r).networkPriority).to.equal('high');
    }
    const total = [bob, cem, dev].reduce((s, r) => s + videoParams(ada, r).maxBitrate! / 1000, 0);
    expect(total + 3 * 40).to.be.at.most(2500);

    bob.reportView(ada.local.id, 1280, 720);
    cem.reportView(ada.local.id, 96, 54);
    await waitUntil(() => videoParams(ada, cem).scaleResolutionDownBy! > videoParams(ada, bob).scaleResolutionDownBy!, 'smaller tile, lower resolution', WAIT);
    expect(videoParams(ada, bob).maxBitrate!).to.be.greaterThan(videoParams(ada, cem).maxBitrate!);
  });

  /** Ada and Bob connected, Ada's shaping applied; `pausedAtBob` tells whether Bob was told Ada's video paused. */
  async function pair() {
    const keys = await meetingKeys(newSecret());
    const [ada, bob] = [await start(keys, 'Ada'), await start(keys, 'Bob')];
    const adaAtBob = () => bob.peers.get(ada.local.id)!;
    await waitUntil(() => adaAtBob()?.connected && ada.peers.get(bob.local.id)?.connected, 'connected', WAIT);
    await waitUntil(() => videoParams(ada, bob).maxBitrate !== undefined, 'parameters applied', WAIT);
    return { ada, bob, pausedAtBob: () => adaAtBob().videoPaused };
  }

  it('pauses video to a peer when the budget is too low and resumes it when it recovers', async () => {
    const { ada, bob, pausedAtBob } = await pair();
    ada.setUploadBudget(AUDIO_KBPS + MIN_VIDEO_KBPS - 10);
    await waitUntil(pausedAtBob, 'Bob is told the video paused', WAIT);
    expect(videoParams(ada, bob).active).to.equal(false);
    expect(audioParams(ada, bob).active, 'audio is never starved').to.not.equal(false);
    ada.setUploadBudget(2500);
    await waitUntil(() => !pausedAtBob(), 'resumed', WAIT);
    expect(videoParams(ada, bob).active).to.equal(true);
  });

  it('caps the frame rate sent to a thumbnail and lifts it for a large or prominent tile, as the receiving tile changes', async () => {
    const { ada, bob } = await pair();
    // Bob's tile of Ada, wired as the call wires it: its size and role reach Ada's shaping.
    const box = document.createElement('div');
    box.addEventListener('runde-view-size', (e) => {
      const { peer, width, height, role } = (e as CustomEvent<ViewSize>).detail;
      bob.reportView(peer, width, height, role);
    });
    const tile = Object.assign(document.createElement('runde-tile') as RundeTile, { peer: ada.local.id, name: 'Ada' });
    for (const [k, v] of [
      ['display', 'block'],
      ['width', '100%'],
      ['height', '100%'],
    ])
      tile.style.setProperty(k, v);
    box.append(tile);
    document.body.append(box);
    const resize = (w: number, h: number) => {
      box.style.setProperty('width', `${w}px`);
      box.style.setProperty('height', `${h}px`);
    };
    try {
      resize(640, LARGE_VIEW_HEIGHT);
      await waitUntil(() => (videoParams(ada, bob).maxFramerate ?? 0) > THUMBNAIL_FPS, 'a large tile: more than the thumbnail rate', WAIT);
      expect(ada.plans.get(bob.local.id)?.maxFramerate).to.equal(videoParams(ada, bob).maxFramerate);
      resize(320, 180);
      await waitUntil(() => videoParams(ada, bob).maxFramerate === THUMBNAIL_FPS, 'a thumbnail: capped', WAIT);
      // Capped for its role, not for a small share (which alone would give 15 fps too).
      expect(ada.plans.get(bob.local.id)!.maxBitrateKbps).to.be.at.least(250);
      tile.prominent = true; // Ada became the active speaker
      await waitUntil(() => (videoParams(ada, bob).maxFramerate ?? 0) > THUMBNAIL_FPS, 'the active speaker: the full rate at thumbnail size', WAIT);
      tile.prominent = false;
      await waitUntil(() => videoParams(ada, bob).maxFramerate === THUMBNAIL_FPS, 'a thumbnail again', WAIT);
    } finally {
      box.remove();
    }
  });

  it('a view reported before the connection is up reaches the sender once it is', async () => {
    const keys = await meetingKeys(newSecret());
    const ada = await start(keys, 'Ada');
    const bob = await start(keys, 'Bob');
    // Bob's tile of Ada is laid out at once, before their connection is up (as in the app).
    expect(bob.peers.get(ada.local.id)?.connected ?? false).to.equal(false);
    bob.reportView(ada.local.id, 160, 90, 'thumbnail');
    await waitUntil(() => ada.plans.get(bob.local.id)?.maxFramerate === THUMBNAIL_FPS, "Ada shapes for Bob's thumbnail", WAIT);
    await waitUntil(() => videoParams(ada, bob).maxFramerate === THUMBNAIL_FPS, 'and applies it', WAIT);
    expect(ada.plans.get(bob.local.id)!.maxBitrateKbps, 'capped for the role, not for a small share').to.be.at.least(250);
    expect(videoParams(ada, bob).scaleResolutionDownBy).to.equal(ada.plans.get(bob.local.id)!.scaleResolutionDownBy);
  });

  it('pauses video to a peer whose page is hidden (it reports 0×0) and resumes it when the page is back', async () => {
    const { ada, bob, pausedAtBob } = await pair();
    bob.reportView(ada.local.id, 0, 0);
    await waitUntil(pausedAtBob, 'Bob is told the video paused', WAIT);
    expect(videoParams(ada, bob).active).to.equal(false);
    expect(audioParams(ada, bob).active, 'audio goes on').to.not.equal(false);
    const framesAtBob = async () => (await inbound(bob.linkTo(ada.local.id)!.connection)).framesDecoded;
    const framesWhilePaused = await framesAtBob();
    const backAt = performance.now();
    bob.reportView(ada.local.id, 640, 360);
    await waitUntil(() => !pausedAtBob(), 'resumed', WAIT);
    expect(videoParams(ada, bob).active).to.equal(true);
    let frames = 0;
    await waitUntil(async () => (frames = await framesAtBob()) > framesWhilePaused, 'frames again', WAIT);
    console.log(`video frames again ${Math.round(performance.now() - backAt)} ms after the page was back`);
    expect(frames).to.be.greaterThan(framesWhilePaused);
  });
});
