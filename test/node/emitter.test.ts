/** The core's event emitter and its diagnostics, in node (no browser needed). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noteTrouble, setDebug, troubleCount } from '../../client/core/diagnostics.js';
import { Emitter } from '../../client/core/emitter.js';

class Source extends Emitter<{ offer: (sdp: string) => void }> {
  fire(sdp: string): void {
    this.emit('offer', sdp);
  }
}

test('a listener that throws does not stop the others, and is counted', (t) => {
  const errors = t.mock.method(console, 'error', () => {});
  const source = new Source();
  const got: string[] = [];
  source.on('offer', () => {
    throw new Error('a bug in the UI');
  });
  source.on('offer', (sdp) => got.push(sdp));
  const before = troubleCount('listener-threw');
  source.fire('v=0');
  assert.deepEqual(got, ['v=0']);
  assert.equal(troubleCount('listener-threw'), before + 1);
  assert.equal(errors.mock.callCount(), 1, 'reported on the console');
});

test('on() returns its own unsubscribe', () => {
  const source = new Source();
  let n = 0;
  const off = source.on('offer', () => n++);
  source.fire('a');
  off();
  source.fire('b');
  assert.equal(n, 1);
});

test('troubles are logged with their context only while debugging', (t) => {
  const debug = t.mock.method(console, 'debug', () => {});
  noteTrouble('signal-unknown', { from: 'x' });
  assert.equal(debug.mock.callCount(), 0);
  setDebug(true);
  t.after(() => setDebug(false));
  noteTrouble('signal-unknown', { from: 'x' });
  assert.equal(debug.mock.callCount(), 1);
  assert.deepEqual(debug.mock.calls[0].arguments, ['[runde] signal-unknown', { from: 'x' }]);
});
