import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import jwt from 'jsonwebtoken';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/httpServer.ts';

let t: TestServer;
let mediator: string;
let supervisor: string;

async function newCaseWithSession(): Promise<{
  caseId: string;
  sessionId: string;
  caseNumber: string;
  parties: Array<{ id: string; side: string; name: string }>;
}> {
  const c = await t.request('POST', '/api/cases', {
    token: mediator,
    body: {
      disputeType: 'neighbour',
      title: '邻里漏水纠纷',
      description: '楼上漏水',
      parties: [
        { side: 'applicant', name: '张三', phone: '13812345678' },
        { side: 'respondent', name: '李四', phone: '13987654321' },
      ],
    },
  });
  assert.equal(c.status, 201, c.text);
  const s = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: mediator });
  assert.equal(s.status, 201, s.text);
  return { caseId: c.body.id, sessionId: s.body.id, caseNumber: c.body.caseNumber, parties: c.body.parties };
}

function tokenOf(url: string): string {
  const m = /#t=([^&]+)$/.exec(url);
  assert.ok(m, `token in fragment of ${url}`);
  return m[1]!;
}

before(async () => {
  t = await startTestServer({ env: { CENTRE_PHONE: '0571-12348' } });
  await t.createUser('mediator1', 'mediator', undefined, { displayName: '王调解员' });
  await t.createUser('supervisor1', 'supervisor');
  mediator = (await t.login('mediator1')).token;
  supervisor = (await t.login('supervisor1')).token;
});
after(async () => t.close());

describe('invitations', () => {
  test('create for a party → link in the fragment + QR; preview works without personal data', async () => {
    const { sessionId, caseNumber, parties } = await newCaseWithSession();
    const respondent = parties[1]!;
    const res = await t.request('POST', `/api/sessions/${sessionId}/invitations`, {
      token: mediator,
      body: { role: 'party', partyId: respondent.id, displayName: '李先生' },
    });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.role, 'party');
    assert.equal(res.body.side, 'respondent', 'side defaults from the party');
    assert.equal(res.body.displayName, '李先生');
    assert.equal(res.body.revokedAt, null);
    assert.ok(res.body.url.startsWith(`${t.config.publicUrl}/join#t=`));
    assert.match(res.body.qrSvg, /^<svg[\s\S]*<\/svg>\s*$/);
    assert.equal(new Date(res.body.expiresAt).getTime() - new Date(res.body.createdAt).getTime(), t.config.invitationSeconds * 1000);
    const token = tokenOf(res.body.url);
    const claims = jwt.decode(token) as jwt.JwtPayload;
    assert.equal(claims.jti, res.body.id);
    assert.equal(claims.sid, sessionId);
    assert.equal(claims.role, 'party');
    assert.equal(claims.aud, 'cm:invitation');

    const preview = await t.request('GET', '/api/invitation', { token });
    assert.equal(preview.status, 200, preview.text);
    assert.deepEqual(preview.body, {
      sessionId,
      caseNumber,
      caseTitle: '邻里漏水纠纷',
      role: 'party',
      displayName: '李先生',
      side: 'respondent',
      sessionStatus: 'open',
      kind: 'mediation',
      // The party learns before admission who runs the session and whom to call afterwards.
      contact: { mediatorName: '王调解员', centreName: '云调解人民调解委员会', centrePhone: '0571-12348' },
      // Not recorded (yet): the join page shows no recording notice.
      recording: 'off',
    });
    assert.ok(!preview.text.includes('1398765'));

    const principal = await t.services.auth.verifyInvitationToken(token);
    assert.equal(principal.sessionId, sessionId);
    assert.equal(principal.partyId, respondent.id);

    const list = await t.request('GET', `/api/sessions/${sessionId}/invitations`, { token: mediator });
    assert.equal(list.status, 200);
    assert.equal(list.body.length, 1);
    assert.equal(list.body[0].id, res.body.id);
    assert.equal(list.body[0].url, undefined, 'links are shown only once');
  });

  test('official and observer invitations; validation of the request', async () => {
    const { sessionId, parties } = await newCaseWithSession();
    const official = await t.request('POST', `/api/sessions/${sessionId}/invitations`, {
      token: mediator,
      body: { role: 'official', displayName: '赵科长', department: '区人社局' },
    });
    assert.equal(official.status, 201);
    assert.equal(official.body.department, '区人社局');
    assert.equal(official.body.side, null);

    const cases: Array<[unknown, string]> = [
      [{ role: 'party', displayName: '张三' }, 'partyId'],
      [{ role: 'judge', displayName: 'x' }, 'role'],
      [{ role: 'observer', displayName: '' }, 'displayName'],
      [{ role: 'observer', displayName: '旁听', partyId: parties[0]!.id }, 'partyId'],
      [{ role: 'party', displayName: '张三', partyId: parties[0]!.id, side: 'respondent' }, 'side'],
    ];
    for (const [body, field] of cases) {
      const res = await t.request('POST', `/api/sessions/${sessionId}/invitations`, { token: mediator, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(res.body.details?.[field], `${field} in ${JSON.stringify(res.body)}`);
    }
  });

  test('a party of another case is refused', async () => {
    const a = await newCaseWithSession();
    const b = await newCaseWithSession();
    const res = await t.request('POST', `/api/sessions/${a.sessionId}/invitations`, {
      token: mediator,
      body: { role: 'party', partyId: b.parties[0]!.id, displayName: '张三' },
    });
    assert.equal(res.status, 400);
    assert.ok(res.body.details.partyId);
    assert.equal(await t.testDb.db.invitation.count({ where: { sessionId: a.sessionId } }), 0);
  });

  test("the token's sid is what is checked: a token cannot be re-pointed at another session", async () => {
    const a = await newCaseWithSession();
    const b = await newCaseWithSession();
    const res = await t.request('POST', `/api/sessions/${a.sessionId}/invitations`, {
      token: mediator,
      body: { role: 'observer', displayName: '旁听人' },
    });
    const token = tokenOf(res.body.url);
    const principal = await t.services.auth.verifyInvitationToken(token);
    assert.equal(principal.sessionId, a.sessionId);
    assert.notEqual(principal.sessionId, b.sessionId);

    // Same invitation id, correctly signed, but claiming session B: refused.
    const claims = jwt.decode(token) as jwt.JwtPayload;
    const forged = jwt.sign({ ...claims, sid: b.sessionId }, TEST_SECRET, { algorithm: 'HS256' });
    await assert.rejects(t.services.auth.verifyInvitationToken(forged), { code: 'unauthenticated', message: 'invitation does not match token' });
    const preview = await t.request('GET', '/api/invitation', { token: forged });
    assert.equal(preview.status, 401);
    // Claiming a role the invitation does not carry: refused too.
    const promoted = jwt.sign({ ...claims, role: 'official' }, TEST_SECRET, { algorithm: 'HS256' });
    await assert.rejects(t.services.auth.verifyInvitationToken(promoted), { code: 'unauthenticated' });
  });

  test('staff tokens are not invitation tokens and vice versa', async () => {
    const { sessionId } = await newCaseWithSession();
    await assert.rejects(t.services.auth.verifyInvitationToken(mediator), { message: 'token is for another audience' });
    const res = await t.request('POST', `/api/sessions/${sessionId}/invitations`, { token: mediator, body: { role: 'observer', displayName: '旁听' } });
    const inv = tokenOf(res.body.url);
    assert.equal((await t.request('GET', '/api/cases', { token: inv })).status, 401);
    assert.equal((await t.request('GET', '/api/invitation')).status, 401);
  });

  test('revoked → refused, and the hook is called', async () => {
    const { sessionId } = await newCaseWithSession();
    const res = await t.request('POST', `/api/sessions/${sessionId}/invitations`, { token: mediator, body: { role: 'observer', displayName: '旁听' } });
    const token = tokenOf(res.body.url);
    assert.equal((await t.request('POST', `/api/invitations/${res.body.id}/revoke`, { token: supervisor })).status, 403);
    const revoked = await t.request('POST', `/api/invitations/${res.body.id}/revoke`, { token: mediator });
    assert.equal(revoked.status, 200);
    assert.ok(revoked.body.revokedAt);
    assert.deepEqual(t.hookCalls.invitationRevoked.slice(-1), [res.body.id]);
    const again = await t.request('POST', `/api/invitations/${res.body.id}/revoke`, { token: mediator });
    assert.equal(again.body.revokedAt, revoked.body.revokedAt, 'idempotent');

    const preview = await t.request('GET', '/api/invitation', { token });
    assert.equal(preview.status, 401);
    assert.equal(preview.body.message, 'invitation has been revoked');
    await assert.rejects(t.services.auth.verifyInvitationToken(token), { code: 'unauthenticated' });
    assert.equal((await t.request('POST', '/api/invitations/nope/revoke', { token: mediator })).status, 404);
  });

  test('expired → refused', async () => {
    const { sessionId } = await newCaseWithSession();
    const res = await t.request('POST', `/api/sessions/${sessionId}/invitations`, { token: mediator, body: { role: 'observer', displayName: '旁听' } });
    const token = tokenOf(res.body.url);
    const saved = t.clock.now();
    t.clock.advance(t.config.invitationSeconds * 1000 - 1000);
    await t.services.auth.verifyInvitationToken(token);
    t.clock.advance(2000);
    await assert.rejects(t.services.auth.verifyInvitationToken(token), { code: 'unauthenticated', message: 'token expired' });
    t.clock.set(saved);
    // The row's expiry is checked too (e.g. shortened by an operator).
    await t.testDb.db.invitation.update({ where: { id: res.body.id }, data: { expiresAt: new Date(saved.getTime() - 1) } });
    await assert.rejects(t.services.auth.verifyInvitationToken(token), { message: 'invitation expired' });
  });

  test('session ended → gone; preview still says which session, as ended; new invitations refused', async () => {
    const { sessionId } = await newCaseWithSession();
    const res = await t.request('POST', `/api/sessions/${sessionId}/invitations`, { token: mediator, body: { role: 'observer', displayName: '旁听' } });
    const token = tokenOf(res.body.url);
    assert.equal((await t.request('POST', `/api/sessions/${sessionId}/end`, { token: mediator })).status, 200);
    await assert.rejects(t.services.auth.verifyInvitationToken(token), { code: 'gone' });
    const preview = await t.request('GET', '/api/invitation', { token });
    assert.equal(preview.status, 200);
    assert.equal(preview.body.sessionStatus, 'ended');
    const more = await t.request('POST', `/api/sessions/${sessionId}/invitations`, { token: mediator, body: { role: 'observer', displayName: '旁听' } });
    assert.equal(more.status, 410);
    assert.equal(more.body.code, 'gone');
  });

  test('a token for an invitation that does not exist is refused', async () => {
    const { sessionId } = await newCaseWithSession();
    const now = Math.floor(t.clock.now().getTime() / 1000);
    const token = jwt.sign({ sid: sessionId, role: 'observer', iat: now, exp: now + 600 }, TEST_SECRET, {
      algorithm: 'HS256',
      issuer: t.config.jwt.issuer,
      audience: 'cm:invitation',
      jwtid: 'made-up',
    });
    await assert.rejects(t.services.auth.verifyInvitationToken(token), { message: 'invitation not found' });
  });
});
