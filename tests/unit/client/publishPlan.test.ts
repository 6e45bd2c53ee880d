import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planPublishing, type PublishState } from '../../../client/src/services/publishPlan.ts';

const none = { mic: false, webcam: false, screen: false };
const camAndMic = { mic: true, webcam: true, screen: false };
const state = (patch: Partial<PublishState>): PublishState => ({ allowed: true, wanted: camAndMic, local: {}, server: [], ...patch });

test('nothing held: publish what is wanted, in order; nothing when not allowed', () => {
  assert.deepEqual(planPublishing(state({})), [
    { type: 'produce', source: 'mic' },
    { type: 'produce', source: 'webcam' },
  ]);
  assert.deepEqual(planPublishing(state({ allowed: false })), []);
  assert.deepEqual(planPublishing(state({ wanted: none })), []);
});

test('in step with the server: nothing to do, however often it is asked', () => {
  const s = state({
    local: { mic: 'm1', webcam: 'w1' },
    server: [
      { id: 'm1', source: 'mic' },
      { id: 'w1', source: 'webcam' },
    ],
  });
  assert.deepEqual(planPublishing(s), []);
  assert.deepEqual(planPublishing({ ...s, server: null }), [], 'server unknown: nothing assumed lost');
});

test('a producer the server closed while we were away is forgotten and published again', () => {
  const s = state({ local: { mic: 'm1', webcam: 'w1' }, server: [{ id: 'm1', source: 'mic' }] });
  assert.deepEqual(planPublishing(s), [
    { type: 'dropLocal', source: 'webcam' },
    { type: 'produce', source: 'webcam' },
  ]);
});

test('a producer the server made but whose answer was lost is closed before publishing again', () => {
  const s = state({
    local: { mic: 'm1' },
    server: [
      { id: 'm1', source: 'mic' },
      { id: 'lost', source: 'webcam' },
    ],
  });
  assert.deepEqual(planPublishing(s), [
    { type: 'closeOnServer', producerId: 'lost' },
    { type: 'produce', source: 'webcam' },
  ]);
});

test('no longer wanted: closed here and on the server; no longer allowed: closed here only (the server did it)', () => {
  const held = {
    local: { mic: 'm1', webcam: 'w1' },
    server: [
      { id: 'm1', source: 'mic' as const },
      { id: 'w1', source: 'webcam' as const },
    ],
  };
  assert.deepEqual(planPublishing(state({ ...held, wanted: { ...camAndMic, webcam: false } })), [
    { type: 'dropLocal', source: 'webcam' },
    { type: 'closeOnServer', producerId: 'w1' },
  ]);
  assert.deepEqual(planPublishing(state({ local: held.local, server: [], allowed: false })), [
    { type: 'dropLocal', source: 'mic' },
    { type: 'dropLocal', source: 'webcam' },
  ]);
});

test('a screen share is one more source, published after camera and microphone', () => {
  assert.deepEqual(
    planPublishing(
      state({
        wanted: { ...camAndMic, screen: true },
        local: { mic: 'm', webcam: 'w' },
        server: [
          { id: 'm', source: 'mic' },
          { id: 'w', source: 'webcam' },
        ],
      }),
    ),
    [{ type: 'produce', source: 'screen' }],
  );
});
