import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { hashPassword } from '../../server/auth/passwords.ts';
import { newId } from '../../server/ids.ts';
import { iceServer } from '../../server/protocol/signalling.ts';
import { turnPassword } from '../../server/signalling/turnCredentials.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';
import { createTestDb, type TestDb } from '../helpers/testDb.ts';

/*
 * TURN credentials over the signalling: with TURN configured, every transport.create answer carries
 * the TURN servers with a credential minted for this participant (expiring with its token), and the
 * server process at LOG_LEVEL=debug never writes the secret or a credential. Without TURN, no change.
 */

const SECRET = 'api-test-coturn-shared-secret-0123456789-abcdef';
const URLS = ['turn:127.0.0.1:3478?transport=udp', 'turn:127.0.0.1:3478?transport=tcp', 'turns:turn.example.org:443?transport=tcp'];
const PASSWORD = 'turn-api-test-password-2026';

let db: TestDb | undefined;
let server: ServerProcess | undefined;
let plain: FullServer | undefined;
const sockets: TestSocket[] = [];

after(async () => {
  for (const s of sockets) s.close();
  await server?.stop();
  await db?.cleanup();
  await plain?.close();
});

const expOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number }).exp;

async function joinAndCreateTransports(baseUrl: string, auth: Parameters<typeof connectSocket>[1]) {
  const s = await connectSocket(baseUrl, auth);
  sockets.push(s);
  const { rtpCapabilities } = await s.request('room.getRouterRtpCapabilities', {});
  await s.request('room.join', { rtpCapabilities });
  return [await s.request('transport.create', { direction: 'recv' }), await s.request('transport.create', { direction: 'send' })];
}

test('with TURN: each transport carries the TURN servers and a credential for this participant, expiring with its token, never logged', async () => {
  db = await createTestDb();
  await db.db.user.create({
    data: { id: newId(), username: 'turnmed', role: 'mediator', displayName: '屠调解员', passwordHash: await hashPassword(PASSWORD) },
  });
  server = await startServerProcess({
    DATA_DIR: db.dataDir,
    DATABASE_URL: db.databaseUrl,
    LOG_LEVEL: 'debug',
    TURN_URLS: URLS.join(','),
    TURN_SECRET: SECRET,
  });
  const api = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await fetch(server!.baseUrl + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
  const login = await api('POST', '/api/auth/login', undefined, { username: 'turnmed', password: PASSWORD });
  assert.equal(login.status, 200);
  const mediator = login.body.token as string;
  const created = await api('POST', '/api/cases', mediator, {
    disputeType: 'neighbour',
    title: '楼上漏水纠纷',
    description: '楼上漏水，双方协商赔偿。',
    parties: [
      { side: 'applicant', name: '张三', phone: '13812345678' },
      { side: 'respondent', name: '李四', phone: '13987654321' },
    ],
  });
  assert.equal(created.status, 201);
  const session = await api('POST', `/api/cases/${created.body.id}/sessions`, mediator);
  const invitation = await api('POST', `/api/sessions/${session.body.id}/invitations`, mediator, { role: 'party', displayName: '张三', side: 'applicant' });
  assert.equal(invitation.status, 201);
  const party = decodeURIComponent(/#t=([^&]+)$/.exec(invitation.body.url as string)![1]!);

  const minted: string[] = [];
  for (const [auth, token, identity] of [
    [{ kind: 'staff', token: mediator, sessionId: session.body.id }, mediator, /^user:/],
    [{ kind: 'invitation', token: party }, party, new RegExp(`^invitation:${invitation.body.id}$`)],
  ] as const) {
    for (const transport of await joinAndCreateTransports(server.baseUrl, auth)) {
      assert.ok(transport.iceServers, 'the transport options carry iceServers');
      assert.equal(transport.iceServers.length, 1);
      const ice = iceServer.parse(transport.iceServers[0]);
      assert.deepEqual(ice.urls, URLS);
      const [expiry, ...rest] = ice.username.split(':');
      assert.match(rest.join(':'), identity);
      // The login or invitation ends at its token's exp (its row's expiry is not earlier): so does the credential.
      assert.equal(Number(expiry), expOf(token));
      assert.equal(ice.credential, turnPassword(SECRET, ice.username));
      minted.push(ice.credential);
    }
  }
  assert.equal(new Set(minted).size, 2, 'one credential per participant (the same for both its transports)');

  for (const s of sockets.splice(0)) s.close();
  await server.stop();
  const output = server.output();
  assert.match(output, /transport/i, 'the debug log saw the transports');
  for (const secret of [SECRET, ...minted]) assert.ok(!output.includes(secret), `${secret} in the server output`);
});

test('without TURN: the transport options are as before, no iceServers', async () => {
  plain = await startFullServer();
  const { token, session } = await plain.mediatorWithSession();
  for (const transport of await joinAndCreateTransports(plain.baseUrl, { kind: 'staff', token, sessionId: session.id })) {
    // Receive transports also carry SCTP for the room channel.
    assert.deepEqual(
      Object.keys(transport)
        .filter((k) => k !== 'sctpParameters')
        .sort(),
      ['dtlsParameters', 'iceCandidates', 'iceParameters', 'id'],
    );
    assert.equal('iceServers' in transport, false);
  }
});
