/**
 * Who is speaking (client/core/speaking.ts), with receivers that count their reads: the RTP
 * level of a remote participant is read in turn, at most RECEIVERS_PER_INTERVAL a tick, since
 * each read waits for WebRTC's worker thread.
 */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { RECEIVERS_PER_INTERVAL, RELEASE, SPEAKING_INTERVAL_MS, SpeakingMonitor } from '../../client/core/speaking.js';

/** A receiver whose audio level is `level` now, counting how often it is asked. */
function receiver(level: number) {
  const r = {
    reads: 0,
    level,
    getSynchronizationSources() {
      r.reads++;
      return [{ audioLevel: r.level, timestamp: performance.timeOrigin + performance.now(), source: 1, rtpTimestamp: 0 }];
    },
  };
  return r;
}

test('receivers are read in turn, at most RECEIVERS_PER_INTERVAL each interval, every one as often as the others', () => {
  mock.timers.enable({ apis: ['setInterval'] });
  const monitor = new SpeakingMonitor();
  try {
    const receivers = Array.from({ length: 7 }, () => receiver(0.5));
    for (const [i, r] of receivers.entries()) monitor.watchReceiver(`p${i}`, r as unknown as RTCRtpReceiver);
    let before = 0;
    for (let tick = 0; tick < 7; tick++) {
      mock.timers.tick(SPEAKING_INTERVAL_MS);
      const total = receivers.reduce((s, r) => s + r.reads, 0);
      assert.ok(total - before <= RECEIVERS_PER_INTERVAL, `tick ${tick}: ${total - before} reads`);
      before = total;
    }
    // 7 ticks × 3 reads = 21 = 3 reads of each of the 7.
    assert.deepEqual(
      receivers.map((r) => r.reads),
      Array(7).fill(3),
    );
  } finally {
    monitor.dispose();
    mock.timers.reset();
  }
});

test('a loud receiver is heard speaking although it is read only about every third interval, and stays speaking between reads', () => {
  mock.timers.enable({ apis: ['setInterval'] });
  const monitor = new SpeakingMonitor();
  try {
    const loud = receiver(0.5);
    monitor.watchReceiver('loud', loud as unknown as RTCRtpReceiver);
    for (let i = 0; i < 6; i++) monitor.watchReceiver(`quiet${i}`, receiver(0) as unknown as RTCRtpReceiver);
    const speaking: boolean[] = [];
    monitor.on('levels', (_levels, who) => speaking.push(who.has('loud')));
    for (let tick = 0; tick < 9; tick++) mock.timers.tick(SPEAKING_INTERVAL_MS);
    // 9 intervals × 3 reads over 7 receivers in turn: 3 or 4 reads each.
    assert.ok(loud.reads >= 3 && loud.reads <= 4, `${loud.reads} reads`);
    const first = speaking.indexOf(true);
    assert.ok(first >= 0 && first <= 2, 'heard within its first turn');
    assert.ok(speaking.slice(first).every(Boolean), 'speaking from then on, between reads too');
    assert.equal(monitor.activeSpeaker, 'loud');
  } finally {
    monitor.dispose();
    mock.timers.reset();
  }
});

test('a level that is not read holds, and falls by the release of every interval since its last read when it is', () => {
  mock.timers.enable({ apis: ['setInterval'] });
  const monitor = new SpeakingMonitor();
  try {
    // Four receivers, three read per interval: a is read in intervals 1, 2, 3, 5 (0,1,2 / 3,0,1 / 2,3,0 / 1,2,3 / 0,1,2).
    const a = receiver(0.5);
    monitor.watchReceiver('a', a as unknown as RTCRtpReceiver);
    for (const id of ['b', 'c', 'd']) monitor.watchReceiver(id, receiver(0) as unknown as RTCRtpReceiver);
    const levels: number[] = [];
    monitor.on('levels', (l) => levels.push(l.get('a')!));
    mock.timers.tick(SPEAKING_INTERVAL_MS);
    a.level = 0; // silent from now on
    for (let i = 0; i < 4; i++) mock.timers.tick(SPEAKING_INTERVAL_MS);
    assert.equal(a.reads, 4);
    const [loud, , third, fourth, fifth] = levels;
    assert.ok(loud > 0);
    assert.ok(Math.abs(third - loud * RELEASE ** 2) < 1e-9, 'read in 2 and 3: one interval each');
    assert.equal(fourth, third, 'not read in 4: it holds');
    assert.ok(Math.abs(fifth - third * RELEASE ** 2) < 1e-9, 'read in 5, two intervals after 3');
  } finally {
    monitor.dispose();
    mock.timers.reset();
  }
});
