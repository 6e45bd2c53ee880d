import type { RoomStateInfo } from '../../server/protocol/signalling.ts';
import type { FullServer } from './fullServer.ts';
import { connectSocket, type TestSocket } from './socketClient.ts';

/* Shared steps of the room tests against the real server (tests/api/room*.test.ts). */

import { until } from './wait.ts';

export { until };

export const lastState = (s: TestSocket): RoomStateInfo | undefined =>
  s.notifications.filter((n) => n.name === 'room.state').at(-1)?.data as RoomStateInfo | undefined;

/** Waits until the socket's latest room.state passes `check`, and returns it. */
export async function stateWhere(s: TestSocket, check: (state: RoomStateInfo) => boolean, what: string, ms = 5000): Promise<RoomStateInfo> {
  await until(
    () => {
      const st = lastState(s);
      return st !== undefined && check(st);
    },
    what,
    ms,
  );
  return lastState(s)!;
}

export interface Member {
  s: TestSocket;
  id: string;
  recvId: string;
  /** The room.join answer's capabilitiesId. */
  capabilitiesId: string;
}

/** Connects (the socket goes into `sockets`, for closing after the tests), joins the room and opens a receive transport. */
export async function enterRoom(
  baseUrl: string,
  sockets: TestSocket[],
  auth: Parameters<typeof connectSocket>[1],
  options: { reconnection?: boolean } = {},
): Promise<Member> {
  const s = await connectSocket(baseUrl, auth, options);
  sockets.push(s);
  const { rtpCapabilities } = await s.request('room.getRouterRtpCapabilities', {});
  const joined = await s.request('room.join', { rtpCapabilities });
  const recv = await s.request('transport.create', { direction: 'recv' });
  return { s, id: joined.self.id, recvId: recv.id, capabilitiesId: joined.capabilitiesId };
}

/** A mediator in a fresh session, and an applicant and a respondent invited and entered (in the lobby until admitted). */
export async function seatRoom(server: FullServer, enter: (auth: Parameters<typeof connectSocket>[1]) => Promise<Member>) {
  const { token, session, caseDetail } = await server.mediatorWithSession();
  const mediator = await enter({ kind: 'staff', token, sessionId: session.id });
  const invA = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
  const invB = await server.invite(token, session.id, { role: 'party', displayName: '某公司', side: 'respondent' });
  const a = await enter({ kind: 'invitation', token: invA.token });
  const b = await enter({ kind: 'invitation', token: invB.token });
  return { token, session, caseDetail, mediator, a, b, invA, invB };
}
