import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { hashPassword } from '../../server/auth/passwords.ts';
import { newId } from '../../server/ids.ts';
import { startServerProcess, type ServerProcess } from '../helpers/serverProcess.ts';
import { connectSocket, type TestSocket } from '../helpers/socketClient.ts';
import { parsePrometheus, total } from '../helpers/prometheus.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { createTestDb, type TestDb } from '../helpers/testDb.ts';
import { codeIn, signatureDataUrl, tokenOf, withFilledFields } from './agreementHelpers.ts';

/*
 * Personal data and secrets never reach the logs. The real server process runs at LOG_LEVEL=debug
 * through a realistic flow (logins, a case with phones and an ID number, invitations, a socket
 * join, a contact reveal, signing links, one-time codes, a sealed agreement, a public report and
 * its query code, refused tokens); then ALL of its output is searched for every phone, ID number,
 * password, token and code the test used.
 */

const PASSWORD = 'log-test-password-2026';
const WRONG_PASSWORD = 'wrong-password-4711';
const PHONE_A = '13811112222';
const PHONE_B = '13933334444';
const PHONE_REPORTER = '15155556666';
const ID_NUMBER = '11010519491231002X';
const ID_NUMBER_REPORTER = '310104198801011234';
const METRICS_TOKEN = 'log-test-metrics-token-0123456789';

let db: TestDb;
let server: ServerProcess;
const sockets: TestSocket[] = [];
/** Every secret the flow handled; none may appear in the output. */
const secrets = new Map<string, string>();
const remember = (what: string, value: string) => {
  assert.ok(value.length >= 6, `${what} is a real value`);
  secrets.set(what, value);
};

async function api(method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(server.baseUrl + path, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await res.text();
  return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined, text };
}

before(async () => {
  db = await createTestDb();
  const passwordHash = await hashPassword(PASSWORD);
  for (const [username, role, displayName] of [
    ['logmed', 'mediator', '林调解员'],
    ['logsup', 'supervisor', '周主管'],
  ] as const) {
    await db.db.user.create({ data: { id: newId(), username, role, displayName, passwordHash } });
  }
  server = await startServerProcess({ DATA_DIR: db.dataDir, DATABASE_URL: db.databaseUrl, LOG_LEVEL: 'debug', METRICS_TOKEN });
});

after(async () => {
  for (const s of sockets) s.close();
  await server?.stop();
  await db?.cleanup();
});

test('a realistic flow at LOG_LEVEL=debug leaves no phone, ID number, password, token or code in the logs', async () => {
  remember('password', PASSWORD);
  remember('wrong password', WRONG_PASSWORD);
  for (const [k, v] of Object.entries({ PHONE_A, PHONE_B, PHONE_REPORTER, ID_NUMBER, ID_NUMBER_REPORTER })) remember(k, v);

  // Logins: one refused, two accepted.
  assert.equal((await api('POST', '/api/auth/login', { body: { username: 'logmed', password: WRONG_PASSWORD } })).status, 401);
  const med = await api('POST', '/api/auth/login', { body: { username: 'logmed', password: PASSWORD } });
  assert.equal(med.status, 200, med.text);
  const mediator: string = med.body.token;
  remember('mediator JWT', mediator);
  const supervisor: string = (await api('POST', '/api/auth/login', { body: { username: 'logsup', password: PASSWORD } })).body.token;
  remember('supervisor JWT', supervisor);

  // A case with phones and an ID number; a session; invitations.
  const c = await api('POST', '/api/cases', {
    token: mediator,
    body: {
      disputeType: 'labour',
      title: '日志测试欠薪纠纷',
      description: `申请人（电话 ${PHONE_A}，身份证 ${ID_NUMBER}）称工资 9000 元未结清。`,
      parties: [
        { side: 'applicant', name: '韩梅梅', phone: PHONE_A, idNumber: ID_NUMBER },
        { side: 'respondent', name: '李雷', phone: PHONE_B },
      ],
    },
  });
  assert.equal(c.status, 201, c.text);
  const caseId: string = c.body.id;
  const [partyA, partyB] = c.body.parties as Array<{ id: string }>;
  const session = await api('POST', `/api/cases/${caseId}/sessions`, { token: mediator });
  assert.equal(session.status, 201, session.text);
  const sessionId: string = session.body.id;
  const invite = async (body: unknown) => {
    const r = await api('POST', `/api/sessions/${sessionId}/invitations`, { token: mediator, body });
    assert.equal(r.status, 201, r.text);
    return tokenOf(r.body.url);
  };
  const inviteA = await invite({ role: 'party', partyId: partyA!.id, displayName: '韩梅梅' });
  const inviteB = await invite({ role: 'party', partyId: partyB!.id, displayName: '李雷' });
  remember('invitation A', inviteA);
  remember('invitation B', inviteB);
  assert.equal((await api('GET', '/api/invitation', { token: inviteA })).status, 200);

  // The contact reveal (the supervisor may), and refused or broken tokens.
  const contact = await api('GET', `/api/cases/${caseId}/parties/${partyA!.id}/contact`, { token: supervisor });
  assert.equal(contact.status, 200, contact.text);
  assert.equal(contact.body.phone, PHONE_A);
  const tampered = inviteA.slice(0, -4) + 'AAAA';
  assert.equal((await api('GET', '/api/invitation', { token: tampered })).status, 401);
  assert.equal((await api('GET', `/api/nope?t=${inviteB}&phone=${PHONE_B}`, { token: mediator })).status, 404);

  // Sockets: the mediator and a party join the room; a forged handshake is refused.
  const host = await connectSocket(server.baseUrl, { kind: 'staff', token: mediator, sessionId });
  sockets.push(host);
  const caps = await host.request('room.getRouterRtpCapabilities', {});
  await host.request('room.join', caps);
  const guest = await connectSocket(server.baseUrl, { kind: 'invitation', token: inviteB });
  sockets.push(guest);
  await guest.request('room.join', await guest.request('room.getRouterRtpCapabilities', {}));
  const refusedAdmit = await guest.send('lobby.admit', { peerId: 'x' });
  assert.equal(refusedAdmit.ok, false);
  await assert.rejects(connectSocket(server.baseUrl, { kind: 'invitation', token: tampered }));

  // The agreement: drafted, frozen, a signing link for A, one-time codes, signatures, sealed.
  let a = (await api('POST', `/api/sessions/${sessionId}/agreement`, { token: mediator, body: {} })).body;
  a = (
    await api('PUT', `/api/agreements/${a.id}/draft`, {
      token: mediator,
      body: { baseRevision: 1, content: { ...withFilledFields(a.revision.content), clauses: ['李雷于2026年5月1日前支付韩梅梅人民币9000元。'] } },
    })
  ).body;
  const frozen = await api('POST', `/api/agreements/${a.id}/freeze`, { token: mediator, body: { revision: 2 } });
  assert.equal(frozen.status, 200, frozen.text);
  const hash: string = frozen.body.frozen.hash;
  const links = await api('POST', `/api/agreements/${a.id}/signing-links`, { token: mediator });
  assert.equal(links.status, 201, links.text);
  const linkA = tokenOf((links.body as Array<{ partyId: string; url: string }>).find((l) => l.partyId === partyA!.id)!.url);
  remember('signing link A', linkA);
  assert.equal((await api('GET', '/api/signing', { token: linkA })).status, 200);
  for (const [token, partyId, phone, seed] of [
    [linkA, partyA!.id, PHONE_A, 71],
    [inviteB, partyB!.id, PHONE_B, 72],
  ] as const) {
    const otp = await api('POST', '/api/signing/otp', { token, body: { partyId, revisionHash: hash } });
    assert.equal(otp.status, 200, otp.text);
    const code = codeIn(await lastSms(db, phone));
    remember(`one-time code for ${phone}`, code);
    const signBody = { partyId, revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(seed) };
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    assert.equal((await api('POST', '/api/signing/sign', { token, body: { ...signBody, code: wrong } })).status, 400);
    const signed = await api('POST', '/api/signing/sign', { token, body: { ...signBody, code } });
    assert.equal(signed.status, 200, signed.text);
  }
  const sealed = await api('POST', `/api/agreements/${a.id}/sign`, {
    token: mediator,
    body: { as: 'mediator', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(73) },
  });
  assert.equal(sealed.status, 200, sealed.text);
  assert.equal(sealed.body.status, 'sealed');

  // A citizen's report and its query code.
  const report = await api('POST', '/api/public/cases', {
    body: {
      disputeType: 'neighbour',
      description: `邻居噪音，联系电话 ${PHONE_REPORTER}`,
      parties: [{ side: 'applicant', name: '王芳', phone: PHONE_REPORTER, idNumber: ID_NUMBER_REPORTER }],
    },
  });
  assert.equal(report.status, 201, report.text);
  remember('query code', report.body.queryCode);
  const query = await api('POST', '/api/public/cases/query', { body: { caseNumber: report.body.caseNumber, queryCode: report.body.queryCode } });
  assert.equal(query.status, 200, query.text);
  assert.equal((await api('POST', '/api/auth/logout', { token: supervisor })).status, 204);

  // The metrics saw the sealing (and expose nothing secret either).
  const metrics = await (await fetch(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  assert.equal(total(parsePrometheus(metrics), 'cm_agreement_sealing_duration_seconds_count'), 1);
  for (const value of secrets.values()) assert.ok(!metrics.includes(value));

  for (const s of sockets.splice(0)) s.close();
  await server.stop();
  const output = server.output();

  // The logs were really written, at debug level, as JSON lines.
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines) assert.doesNotThrow(() => JSON.parse(line), `a JSON line: ${line.slice(0, 200)}`);
  const messages = lines.map((l) => JSON.parse(l) as { level: string; msg: string; time: string });
  for (const msg of [
    'staff login',
    'case created',
    'invitation created',
    'party contact revealed',
    'peer joined',
    'signing code sent',
    'agreement sealed',
    'public report',
    'http',
  ]) {
    assert.ok(
      messages.some((m) => m.msg === msg),
      `the log has "${msg}"`,
    );
  }
  assert.ok(
    messages.some((m) => m.level === 'debug'),
    'debug lines are written at LOG_LEVEL=debug',
  );

  // …and hold none of the secrets.
  for (const [what, value] of secrets) {
    assert.ok(!output.includes(value), `the ${what} (${value.slice(0, 8)}…) appears in the log:\n${lines.filter((l) => l.includes(value)).join('\n')}`);
  }
  // Nor a JWT of any kind, nor a signing-link token.
  assert.doesNotMatch(output, /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/, 'no JWT');
  assert.doesNotMatch(output, /sl_[A-Za-z0-9_-]{16,}/, 'no signing-link token');
});
