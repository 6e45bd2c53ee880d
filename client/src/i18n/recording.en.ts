import type { recordingZhCN } from './recording.zh-CN.ts';

/** Recording in the room (issue 11), English. */
export const recordingEn: Record<keyof typeof recordingZhCN, string> = {
  'rec.notice.title': 'This session is recorded',
  'rec.notice.body':
    "This mediation session will be recorded in full, sound and video. The recording is kept only in the mediation centre's archive and released only where the law requires.",
  'rec.notice.ifNot': 'If you do not agree, you will not enter this session, and the mediator will be told.',
  'rec.notice.ifNotInRoom': 'If you do not agree, you will leave the room, and the mediator will be told.',
  'rec.notice.midTitle': 'The mediator has started recording',
  'rec.notice.accept': 'Agree and enter',
  'rec.notice.acceptInRoom': 'Agree and continue',
  'rec.notice.decline': 'I do not agree',
  'rec.notice.declineInRoom': 'I do not agree, leave',
  'rec.notice.sending': 'Sending…',
  'rec.notice.failed': 'Your answer did not get through. Please press it again.',
  'rec.indicator.recording': 'Recording {time}',
  'rec.indicator.paused': 'Recording paused',
  'rec.indicator.label': 'This session is being recorded',
  'rec.control.title': 'Recording',
  'rec.control.off': 'This session is not being recorded.',
  'rec.control.start': 'Start recording',
  'rec.control.pause': 'Pause recording',
  'rec.control.resume': 'Resume recording',
  'rec.control.recordingSince': 'Recording since {time}',
  'rec.control.pausedSince': 'Paused at {time}',
  'rec.control.confirm.title': 'Start recording?',
  'rec.control.confirm.body':
    'Everyone in the session will see the recording notice and can only stay after agreeing; anyone who does not agree leaves the room. Starting the recording counts as your own consent.',
  'rec.control.confirm.ok': 'Start recording',
  'rec.declined.title': 'Declined the recording',
  'rec.declined.line': '{name} ({role}) declined the recording and did not enter',
  'rec.declined.toast': '{name} ({role}) declined the recording and did not enter the room',
  'rec.end.again': 'Read the notice again',
  'room.end.recording_declined': 'You did not enter this session',
  'room.end.recording_declined.body':
    'You did not agree to the recording, so you did not enter this session. The mediator has been told and will contact you about what happens next.',
  'room.end.recording_left': 'You have left the room',
  'room.end.recording_left.body':
    'You did not agree to the recording, so you have left this session. The mediator has been told and will contact you about what happens next.',
  'room.notice.consent-failed': 'Your answer to the recording notice did not get through. Please try again.',
};
