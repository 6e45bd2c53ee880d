import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RecordingStateInfo } from '../../../server/protocol/recording.ts';
import { isConsentRequired, isRecordingOn, noticeNeeded, recordingClock } from '../../../client/src/services/recording.ts';

const state = (patch: Partial<RecordingStateInfo>): RecordingStateInfo => ({
  state: 'recording',
  since: '2026-12-03T03:00:00.000Z',
  consented: false,
  declined: [],
  ...patch,
});

describe('the recording notice and indicator rules', () => {
  test('the notice is shown when the server asked for it, or recording is on without our confirmation', () => {
    assert.equal(noticeNeeded(null, 'asked'), true, 'held back at room.join: shown before any room state');
    assert.equal(noticeNeeded(state({}), 'none'), true, 'recording turned on mid-session');
    assert.equal(noticeNeeded(state({ state: 'paused' }), 'none'), true, 'paused is still a recorded session');
    assert.equal(noticeNeeded(state({ consented: true }), 'none'), false, 'the server has our confirmation');
    assert.equal(noticeNeeded(state({ state: 'off', since: null }), 'none'), false, 'not recorded');
    assert.equal(noticeNeeded(state({}), 'given'), false, 'confirmed here; the room state has not caught up yet');
    assert.equal(noticeNeeded(state({}), 'answering'), false);
    assert.equal(noticeNeeded(undefined, 'none'), false, 'no room state yet');
  });

  test('recording is on while recording or paused', () => {
    assert.deepEqual([isRecordingOn('recording'), isRecordingOn('paused'), isRecordingOn('off'), isRecordingOn(undefined)], [true, true, false, false]);
  });

  test('the clock counts minutes and seconds, then hours; a start ahead of this device reads 00:00', () => {
    const since = '2026-12-03T03:00:00.000Z';
    const at = (s: number) => Date.parse(since) + s * 1000;
    assert.equal(recordingClock(since, at(0)), '00:00');
    assert.equal(recordingClock(since, at(7.9)), '00:07');
    assert.equal(recordingClock(since, at(187)), '03:07');
    assert.equal(recordingClock(since, at(3599)), '59:59');
    assert.equal(recordingClock(since, at(3600 + 127)), '1:02:07');
    assert.equal(recordingClock(since, at(-5)), '00:00');
    assert.equal(recordingClock(null, at(10)), '00:00');
    assert.equal(recordingClock('not a date', at(10)), '00:00');
  });

  test('the refusal that asks for the notice is recognised by its code', () => {
    assert.equal(isConsentRequired({ code: 'recording_consent_required' }), true);
    assert.equal(isConsentRequired({ code: 'forbidden', reason: 'removed_from_session' }), false);
    assert.equal(isConsentRequired(new Error('x')), false);
    assert.equal(isConsentRequired(null), false);
  });
});
