/**
 * The upload plan (planVideo in client/core/bandwidth.ts): how one sender's budget is shared
 * among its receivers. applyPlan needs a real RTCPeerConnection and stays in the browser suite.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  applyPlan,
  AUDIO_KBPS,
  DEFAULT_UPLOAD_KBPS,
  MAX_VIDEO_KBPS,
  MIN_VIDEO_KBPS,
  planVideo,
  THUMBNAIL_FPS,
  type ReceiverView,
  type VideoPlan,
  type ViewRole,
} from '../../client/core/bandwidth.js';

const view = (id: string, width: number | null, height: number | null): ReceiverView => ({ id, width, height });
const SOURCE_HEIGHT = 720;

/** The plan for `id`, failing the test when there is none. */
function planOf(plans: Map<string, VideoPlan>, id: string): VideoPlan {
  const plan = plans.get(id);
  assert.ok(plan, `a plan for ${id}`);
  return plan;
}
const activeKbps = (plans: Map<string, VideoPlan>) => [...plans.values()].filter((p) => p.active).reduce((sum, p) => sum + p.maxBitrateKbps, 0);

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function seeded(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('every receiver gets a plan, and no receivers get an empty plan', () => {
  const plans = planVideo([view('a', 640, 360), view('b', null, null), view('c', 0, 0)], DEFAULT_UPLOAD_KBPS, SOURCE_HEIGHT);
  assert.deepEqual([...plans.keys()], ['a', 'b', 'c']);
  assert.equal(planVideo([], DEFAULT_UPLOAD_KBPS, SOURCE_HEIGHT).size, 0);
});

test("the video sent never exceeds the budget left after every receiver's audio", () => {
  const random = seeded(15);
  for (let round = 0; round < 5_000; round++) {
    const n = 1 + Math.floor(random() * 8);
    const size = () => (random() < 0.15 ? null : random() < 0.1 ? 0 : Math.floor(random() * 2_000));
    const views = Array.from({ length: n }, (_, i) => view(`r${i}`, size(), size()));
    const budget = Math.floor(random() * 6_000);
    const plans = planVideo(views, budget, SOURCE_HEIGHT);
    const videoBudget = Math.max(0, budget - AUDIO_KBPS * n);
    assert.ok(activeKbps(plans) <= videoBudget, `round ${round}: ${activeKbps(plans)} kbit/s of video for ${videoBudget} left, ${JSON.stringify(views)}`);
  }
});

test('equal tiles get equal shares that use up the video budget', () => {
  const budget = 3 * AUDIO_KBPS + 1_200;
  const plans = planVideo([view('a', 640, 360), view('b', 640, 360), view('c', 640, 360)], budget, SOURCE_HEIGHT);
  const rates = [...plans.values()].map((p) => p.maxBitrateKbps);
  assert.equal(new Set(rates).size, 1, `equal: ${rates}`);
  assert.ok(activeKbps(plans) >= 1_200 - plans.size, 'at most rounding is left unused');
});

test('a larger tile gets more: about twice the bits for twice the width (four times the pixels)', () => {
  const plans = planVideo([view('big', 1280, 720), view('small', 640, 360)], 2 * AUDIO_KBPS + 900, SOURCE_HEIGHT);
  const [big, small] = [planOf(plans, 'big').maxBitrateKbps, planOf(plans, 'small').maxBitrateKbps];
  assert.ok(Math.abs(big / small - 2) < 0.02, `${big} : ${small}`);
  const three = planVideo([view('big', 1280, 720), view('small', 320, 180), view('mid', 640, 360)], DEFAULT_UPLOAD_KBPS, 480);
  assert.ok(planOf(three, 'big').maxBitrateKbps > planOf(three, 'mid').maxBitrateKbps);
  assert.ok(planOf(three, 'mid').maxBitrateKbps > planOf(three, 'small').maxBitrateKbps);
});

test('no receiver gets more than MAX_VIDEO_KBPS, however large the budget', () => {
  const plans = planVideo([view('a', 3840, 2160), view('b', 1920, 1080)], 100_000, 2160);
  for (const [id, plan] of plans) assert.equal(plan.maxBitrateKbps, MAX_VIDEO_KBPS, id);
});

test('a receiver that has not reported a size is planned as a mid-size tile, between a tiny and a full-screen one', () => {
  const plans = planVideo(
    [view('unknown', null, null), view('tiny', 160, 90), view('huge', 1920, 1080), view('also-unknown', null, null)],
    100 * AUDIO_KBPS,
    SOURCE_HEIGHT,
  );
  const rate = (id: string) => planOf(plans, id).maxBitrateKbps;
  assert.equal(planOf(plans, 'unknown').active, true);
  assert.equal(rate('unknown'), rate('also-unknown'));
  assert.ok(rate('tiny') < rate('unknown') && rate('unknown') < rate('huge'), `${rate('tiny')} < ${rate('unknown')} < ${rate('huge')}`);
  const halfKnown = planVideo([view('w', 1920, null), view('h', null, 1080), view('unknown', null, null)], 100 * AUDIO_KBPS, SOURCE_HEIGHT);
  assert.ok(planOf(halfKnown, 'w').maxBitrateKbps > planOf(halfKnown, 'unknown').maxBitrateKbps, 'a known width counts');
  assert.ok(planOf(halfKnown, 'h').maxBitrateKbps > planOf(halfKnown, 'unknown').maxBitrateKbps, 'a known height counts');
});

test('a receiver that shows the tile nowhere (0×0) gets no video and no share of the budget', () => {
  assert.equal(planOf(planVideo([view('hidden', 0, 0)], DEFAULT_UPLOAD_KBPS, SOURCE_HEIGHT), 'hidden').active, false, 'not even as the only receiver');
  const withHidden = planVideo([view('hidden', 0, 0), view('a', 640, 360), view('b', 640, 360)], DEFAULT_UPLOAD_KBPS, SOURCE_HEIGHT);
  assert.equal(planOf(withHidden, 'hidden').active, false);
  // The others share what is left after everyone's audio, as if the hidden one were not there.
  const without = planVideo([view('a', 640, 360), view('b', 640, 360)], DEFAULT_UPLOAD_KBPS - AUDIO_KBPS, SOURCE_HEIGHT);
  assert.equal(planOf(withHidden, 'a').maxBitrateKbps, planOf(without, 'a').maxBitrateKbps);
  for (const [w, h] of [
    [0, 360],
    [640, 0],
  ])
    assert.equal(planOf(planVideo([view('x', w, h)], DEFAULT_UPLOAD_KBPS, SOURCE_HEIGHT), 'x').active, false, `${w}×${h}`);
});

test('video to a receiver is paused below MIN_VIDEO_KBPS and sent from exactly MIN_VIDEO_KBPS', () => {
  const one = (budget: number) => planOf(planVideo([view('a', 640, 360)], budget, SOURCE_HEIGHT), 'a');
  assert.equal(one(AUDIO_KBPS + MIN_VIDEO_KBPS).active, true, 'at the limit');
  assert.equal(one(AUDIO_KBPS + MIN_VIDEO_KBPS).maxBitrateKbps, MIN_VIDEO_KBPS);
  assert.equal(one(AUDIO_KBPS + MIN_VIDEO_KBPS - 1).active, false, 'one below');
  const starved = planVideo([view('a', 640, 360), view('b', 640, 360), view('c', 640, 360)], 3 * AUDIO_KBPS + 3 * MIN_VIDEO_KBPS - 1, SOURCE_HEIGHT);
  assert.deepEqual(
    [...starved.values()].map((p) => p.active),
    [false, false, false],
    'three equal shares just below the minimum',
  );
});

test('a budget smaller than the audio reserve sends no video, yet never a limit of 0 (a browser may read it as none)', () => {
  for (const budget of [0, 1, AUDIO_KBPS - 1, 2 * AUDIO_KBPS - 1, -100]) {
    for (const [id, plan] of planVideo([view('a', 640, 360), view('b', null, null)], budget, SOURCE_HEIGHT)) {
      assert.equal(plan.active, false, `${id} at ${budget} kbit/s`);
      assert.ok(plan.maxBitrateKbps >= 1, `${id} at ${budget} kbit/s: ${plan.maxBitrateKbps}`);
    }
  }
});

test('audio-only pauses all video, whatever the budget', () => {
  const plans = planVideo([view('a', 1920, 1080), view('b', null, null)], 100_000, SOURCE_HEIGHT, true);
  for (const [id, plan] of plans) {
    assert.equal(plan.active, false, id);
    assert.ok(plan.maxBitrateKbps >= 1, id);
  }
});

test('the resolution is scaled toward the lines the receiver shows, never up, in quarter steps', () => {
  const plans = planVideo([view('half', 640, 360), view('quarter', 320, 180), view('same', 1280, 720), view('larger', 3840, 2160)], 100_000, SOURCE_HEIGHT);
  assert.equal(planOf(plans, 'half').scaleResolutionDownBy, 2);
  assert.equal(planOf(plans, 'quarter').scaleResolutionDownBy, 4);
  assert.equal(planOf(plans, 'same').scaleResolutionDownBy, 1);
  assert.equal(planOf(plans, 'larger').scaleResolutionDownBy, 1, 'never upscaled');
  const random = seeded(7);
  for (let i = 0; i < 500; i++) {
    const height = Math.floor(random() * 3_000) + 1;
    const { scaleResolutionDownBy: s } = planOf(planVideo([view('x', height * 2, height)], 100_000, SOURCE_HEIGHT), 'x');
    assert.ok(s >= 1 && Number.isInteger(s * 4), `height ${height}: ${s}`);
    if (height >= 180 && height <= SOURCE_HEIGHT)
      assert.ok(Math.abs(SOURCE_HEIGHT / s - height) <= height * 0.15, `height ${height}: sends ${SOURCE_HEIGHT / s} lines`);
  }
});

test('smaller tiles never get more lines or more frames than larger ones', () => {
  const heights = [0, 45, 90, 180, 270, 360, 540, 720, 1080];
  const plans = planVideo(
    heights.map((h) => view(`h${h}`, Math.round((h * 16) / 9) || 1, h || 1)),
    4_000,
    SOURCE_HEIGHT,
  );
  const ordered = heights.map((h) => planOf(plans, `h${h}`));
  for (let i = 1; i < ordered.length; i++) {
    assert.ok(ordered[i].scaleResolutionDownBy <= ordered[i - 1].scaleResolutionDownBy, `scale at ${heights[i]}`);
    assert.ok(ordered[i].maxFramerate >= ordered[i - 1].maxFramerate, `frame rate at ${heights[i]}`);
  }
  for (const plan of ordered) assert.ok(plan.maxFramerate >= 15 && plan.maxFramerate <= 30, `${plan.maxFramerate} fps`);
  assert.ok(ordered.at(-1)!.maxFramerate > ordered[0].maxFramerate, 'a large tile gets a higher frame rate than a thumbnail');
});

test('a thumbnail gets at most THUMBNAIL_FPS, a large tile of the same size what its share allows; no role counts as large', () => {
  const same = (id: string, role?: ViewRole): ReceiverView => ({ ...view(id, 426, 240), role });
  const plans = planVideo([same('thumb', 'thumbnail'), same('speaker', 'large'), same('older client')], DEFAULT_UPLOAD_KBPS, 480);
  const [thumb, speaker, older] = ['thumb', 'speaker', 'older client'].map((id) => planOf(plans, id));
  assert.equal(thumb.maxFramerate, THUMBNAIL_FPS);
  assert.ok(speaker.maxFramerate > THUMBNAIL_FPS, `the speaker: ${speaker.maxFramerate} fps`);
  assert.deepEqual(older, speaker, 'a view without a role is planned as a large one');
  // The role changes frames only: the share of the budget and the lines follow the size.
  assert.equal(thumb.maxBitrateKbps, speaker.maxBitrateKbps);
  assert.equal(thumb.scaleResolutionDownBy, speaker.scaleResolutionDownBy);
  // A thumbnail never gets more frames than a large tile of the same size, whatever the budget.
  for (const budget of [2 * AUDIO_KBPS + 2 * MIN_VIDEO_KBPS, 1_000, DEFAULT_UPLOAD_KBPS, 10_000]) {
    const both = planVideo([same('a', 'large'), same('b', 'thumbnail')], budget, 480);
    assert.ok(planOf(both, 'b').maxFramerate <= Math.min(THUMBNAIL_FPS, planOf(both, 'a').maxFramerate), `${budget} kbit/s`);
  }
});

test('applyPlan ends even when a sender never settles its setParameters (Chromium, overlapping a renegotiation)', async () => {
  const camera = { kind: 'video' } as MediaStreamTrack;
  let calls = 0;
  const hung = {
    track: camera,
    getParameters: () => ({ encodings: [{}] }),
    setParameters: () => {
      calls++;
      return new Promise<void>(() => {});
    },
  } as unknown as RTCRtpSender;
  const plan: VideoPlan = { active: true, maxBitrateKbps: 500, scaleResolutionDownBy: 2, maxFramerate: 15 };
  assert.equal(await applyPlan({ getSenders: () => [hung] }, plan, camera, 10), false, 'not applied: the next round tries again');
  assert.equal(calls, 1);
});

test("a receiver claiming a tile larger than the camera's picture weighs no more than one of the camera's size", () => {
  const honest = [view('a', 640, 360), view('b', 640, 360)];
  const fair = planVideo([...honest, view('c', 1280, 720)], DEFAULT_UPLOAD_KBPS, 720);
  const greedy = planVideo([...honest, view('c', 16_384, 16_384)], DEFAULT_UPLOAD_KBPS, 720);
  for (const id of ['a', 'b']) assert.equal(planOf(greedy, id).maxBitrateKbps, planOf(fair, id).maxBitrateKbps, id);
  assert.equal(planOf(greedy, 'c').maxBitrateKbps, planOf(fair, 'c').maxBitrateKbps);
});
