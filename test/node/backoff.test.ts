/**
 * The reconnect delay of the signaling client (backoffMs in client/core/signaling-client.ts),
 * with an injected random so that the jitter is known.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BUSY_BASE_MS, BUSY_MAX_MS, RECONNECT_BASE_MS, RECONNECT_MAX_MS, backoffMs } from '../../client/core/signaling-client.js';

/** Just below 1: Math.random never returns 1 itself. */
const ALMOST_ONE = 1 - Number.EPSILON;
const JITTERS = [0, 0.1, 0.25, 0.5, 0.75, 0.9, ALMOST_ONE];
const VARIANTS = [
  { name: 'after a drop', busy: false, base: RECONNECT_BASE_MS, max: RECONNECT_MAX_MS },
  { name: 'after "busy"', busy: true, base: BUSY_BASE_MS, max: BUSY_MAX_MS },
];

test('the first retry waits between half the base and the base', () => {
  for (const { name, busy, base } of VARIANTS) {
    assert.equal(
      backoffMs(0, () => 0, busy),
      base / 2,
      `${name}: least jitter`,
    );
    assert.equal(
      backoffMs(0, () => ALMOST_ONE, busy),
      base,
      `${name}: most jitter`,
    );
  }
});

test('the wait doubles with each attempt until it reaches the cap, then stays there', () => {
  for (const { name, busy, max } of VARIANTS) {
    for (const jitter of JITTERS) {
      const waits = Array.from({ length: 40 }, (_, attempt) => backoffMs(attempt, () => jitter, busy));
      for (let i = 1; i < waits.length; i++) {
        assert.ok(waits[i] >= waits[i - 1], `${name}, jitter ${jitter}: never shorter than before (attempt ${i})`);
        if (2 * waits[i - 1] <= (max * (1 + jitter)) / 2) {
          assert.ok(
            Math.abs(waits[i] - 2 * waits[i - 1]) <= 1,
            `${name}, jitter ${jitter}: doubles below the cap (attempt ${i}: ${waits[i - 1]} → ${waits[i]})`,
          );
        }
      }
      const capped = waits.at(-1)!;
      assert.ok(capped >= max / 2 && capped <= max, `${name}, jitter ${jitter}: the capped wait ${capped}`);
    }
  }
});

test('no attempt number, however large, waits longer than the cap or less than half the base', () => {
  for (const { name, busy, base, max } of VARIANTS) {
    for (const attempt of [0, 1, 5, 10, 31, 32, 53, 100, 1023, 1024, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      for (const jitter of JITTERS) {
        const wait = backoffMs(attempt, () => jitter, busy);
        assert.ok(Number.isInteger(wait), `${name}: whole milliseconds (attempt ${attempt})`);
        assert.ok(wait >= base / 2 && wait <= max, `${name}: attempt ${attempt}, jitter ${jitter} gave ${wait}`);
      }
    }
  }
});

test('after "busy" the client waits longer than after a drop, for the same attempt and jitter', () => {
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const jitter of JITTERS) {
      assert.ok(backoffMs(attempt, () => jitter, true) > backoffMs(attempt, () => jitter, false), `attempt ${attempt}, jitter ${jitter}`);
    }
  }
  assert.equal(
    backoffMs(100, () => ALMOST_ONE, true),
    BUSY_MAX_MS,
    'up to a minute',
  );
});

test('jitter spreads the waits over the upper half of the ceiling, one random draw per wait', () => {
  for (const { name, busy, max } of VARIANTS) {
    let draws = 0;
    const sequence = [0, 0.2, 0.4, 0.6, 0.8, ALMOST_ONE];
    const random = () => sequence[draws++ % sequence.length];
    const waits = sequence.map(() => backoffMs(50, random, busy));
    assert.equal(draws, sequence.length, `${name}: one draw per wait`);
    assert.equal(waits[0], max / 2, `${name}: the lowest draw waits half the ceiling`);
    assert.equal(waits.at(-1), max, `${name}: the highest draw waits the whole ceiling`);
    for (let i = 1; i < waits.length; i++) assert.ok(waits[i] > waits[i - 1], `${name}: a higher draw waits longer (${waits.join(', ')})`);
  }
});

test('with the default Math.random the waits stay in range and are not all alike', () => {
  for (const { name, busy, max } of VARIANTS) {
    const waits = Array.from({ length: 500 }, () => backoffMs(100, undefined, busy));
    for (const w of waits) assert.ok(w >= max / 2 && w <= max, `${name}: ${w}`);
    assert.ok(new Set(waits).size > 10, `${name}: a thousand clients do not retry in step`);
  }
});
