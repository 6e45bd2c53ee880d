import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accessActions, type AccessAction, type Relation } from '../../server/access/caseAccess.ts';
import { routeObjects, type ObjectRule } from '../../server/http/routeObjects.ts';
import { routePermissions, type RouteKey } from '../../server/http/routePermissions.ts';
import { staffRoles, type StaffRole } from '../../server/protocol/roles.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { withFilledFields } from './agreementHelpers.ts';

/*
 * Two mediators, two officials, two cases: every route with an object rule is called on each
 * case by everyone whose role the route table admits; whoever has no relation to that case must
 * get a 403 naming the rule, recorded as a refusal, and the case's `can` map must agree.
 */

let t: TestServer;
const tok: Record<string, string> = {};
const ids: Record<string, string> = {};
type K = 1 | 2;
const cases = {} as Record<
  K,
  {
    caseId: string;
    sessionId: string;
    invitationId: string;
    whistleId: string;
    agreementId: string;
    noteId: string;
    recordingId: string;
    trackId: string;
    recordId: string;
    applicationId: string;
  }
>;

const actors: Record<string, StaffRole> = {
  m1: 'mediator',
  m2: 'mediator',
  o1: 'official',
  o2: 'official',
  sup: 'supervisor',
  admin: 'admin',
  g1: 'gridworker',
  j1: 'judge',
  j2: 'judge',
};

/** The rule, spelled out for this world: case k is led by m k, department k (official o k) was called in and accepted. */
function holds(actor: string, relation: Relation, k: K): boolean {
  switch (relation) {
    case 'reader':
      return actor === `m${k}` || actor === `o${k}` || actor === 'sup' || actor === 'admin' || actor === `j${k}`;
    case 'steward':
      return actor === `m${k}` || actor === 'sup';
    case 'signer':
      return actor === `m${k}` || actor === `o${k}`;
    case 'called':
      return actor === `o${k}`;
    case 'reviewer':
      return actor === `m${k}` || actor === 'sup' || actor === 'admin' || actor === `j${k}`;
    case 'court':
      return actor === `j${k}`; // case k's judicial application was submitted to court k
  }
}

async function ok(method: string, path: string, token: string, body?: unknown): Promise<any> {
  const res = await t.request(method, path, { token, ...(body === undefined ? {} : { body }) });
  assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
  return res.body;
}

before(async () => {
  t = await startTestServer();
  for (const [name, role] of Object.entries(actors)) {
    ids[name] = await t.createUser(name, role);
    tok[name] = (await t.login(name)).token;
  }
  const unit = async (body: unknown) => (await ok('POST', '/api/admin/units', tok.admin!, body)).id as string;
  const units: Record<K, string> = {
    1: await unit({ name: '区人社局', kind: 'department', level: 'county', department: 'human_resources' }),
    2: await unit({ name: '区交警大队', kind: 'department', level: 'county', department: 'traffic_police' }),
  };
  const courts: Record<K, string> = {
    1: await unit({ name: '第一人民法院', kind: 'court', level: 'county' }),
    2: await unit({ name: '第二人民法院', kind: 'court', level: 'county' }),
  };
  for (const k of [1, 2] as const) {
    await ok('PUT', `/api/admin/users/${ids[`o${k}`]}/unit`, tok.admin!, { unitId: units[k] });
    await ok('PUT', `/api/admin/users/${ids[`j${k}`]}/unit`, tok.admin!, { unitId: courts[k] });
  }
  for (const k of [1, 2] as const) {
    const m = tok[`m${k}`]!;
    const c = await ok('POST', '/api/cases', m, {
      disputeType: 'labour',
      title: `欠薪纠纷 ${k}`,
      description: '申请人称被拖欠工资三个月。',
      parties: [
        { side: 'applicant', name: '张三', phone: '13812345678' },
        { side: 'respondent', name: '某某公司', phone: '13987654321' },
      ],
    });
    const s = await ok('POST', `/api/cases/${c.id}/sessions`, m);
    const inv = await ok('POST', `/api/sessions/${s.id}/invitations`, m, { role: 'party', partyId: c.parties[0].id, displayName: '张三' });
    const w = await ok('POST', `/api/cases/${c.id}/whistles`, m, { unitId: units[k], need: '核实工资发放记录' });
    await ok('POST', `/api/whistles/${w.id}/accept`, tok[`o${k}`]!);
    const draft = await ok('POST', `/api/sessions/${s.id}/agreement`, m, {});
    const a = await ok('PUT', `/api/agreements/${draft.id}/draft`, m, {
      baseRevision: draft.revision.number,
      content: withFilledFields(draft.revision.content),
    });
    await ok('POST', `/api/agreements/${a.id}/freeze`, m, { revision: a.revision.number, requireWitness: true });
    const n = await ok('POST', `/api/cases/${c.id}/supervision-notes`, tok.sup!, { text: '请尽快调解', dueAt: '2026-03-10' });
    // A recording of the session (the SFU writes these rows; here only the rows, no files).
    const at = new Date('2026-03-01T02:00:00Z');
    const recordingId = `rec${k}`;
    const trackId = `trk${k}`;
    await t.testDb.db.recording.create({
      data: { id: recordingId, sessionId: s.id, caseId: c.id, state: 'stopped', startedById: ids[`m${k}`]!, startedAt: at, stateAt: at, endedAt: at },
    });
    await t.testDb.db.recordingTrack.create({
      data: {
        id: trackId,
        recordingId,
        identity: `user:${ids[`m${k}`]}`,
        displayName: 'm',
        role: 'mediator',
        kind: 'audio',
        source: 'mic',
        producerId: 'p',
        codec: 'opus',
        path: 'a.webm',
        startedAt: at,
        endedAt: at,
      },
    });
    const record = await ok('POST', `/api/sessions/${s.id}/record`, m, {});
    // A judicial application of the case, submitted to court k (rows only: the agreement here is not sealed).
    const applicationId = `app${k}`;
    await t.testDb.db.judicialApplication.create({
      data: {
        id: applicationId,
        caseId: c.id,
        agreementId: a.id,
        courtUnitId: courts[k],
        status: 'submitted',
        effectiveAt: at,
        deadlineAt: new Date(at.getTime() + 30 * 86_400_000),
        createdById: ids[`m${k}`]!,
        createdAt: at,
        updatedAt: at,
        submittedAt: at,
      },
    });
    cases[k] = {
      caseId: c.id,
      sessionId: s.id,
      invitationId: inv.id,
      whistleId: w.id,
      agreementId: a.id,
      noteId: n.id,
      recordingId,
      trackId,
      recordId: record.id,
      applicationId,
    };
  }
});
after(async () => t?.close());

const pathOf = (key: RouteKey, k: K): [string, string] => {
  const [method, path] = key.split(' ') as [string, string];
  const c = cases[k];
  const filled = path.replace(/:(\w+)/g, (_m, name: string) => (c as Record<string, string>)[name] ?? 'missing');
  return [method, filled];
};
const rolesOf = (key: RouteKey): readonly StaffRole[] => {
  const p = routePermissions[key];
  return p === 'public' ? staffRoles : p;
};
const withAction = Object.entries(routeObjects).filter((e): e is [RouteKey, Extract<ObjectRule, { action: AccessAction }>] => 'action' in e[1]);

test('every route has an object rule, and the rule names only real path parameters', () => {
  assert.deepEqual(Object.keys(routeObjects).sort(), Object.keys(routePermissions).sort());
  for (const [key, rule] of withAction) assert.ok(key.includes(`:${rule.via}`), `${key} resolves its case from :${rule.via}`);
  // Routes that touch one case by id cannot opt out.
  for (const [key, rule] of Object.entries(routeObjects)) {
    if (/:(caseId|sessionId|agreementId|invitationId|whistleId|noteId|recordingId|recordId|applicationId)/.test(key))
      assert.ok('action' in rule, `${key} has an object rule`);
  }
});

test('sessions, invitations, hosting, ending and agreement work are the steward’s; signing is the signer’s', () => {
  const expected: Record<AccessAction, Relation> = {
    'case.read': 'reader',
    'case.attach': 'reader',
    'case.loop': 'reader',
    'contact.reveal': 'steward',
    'session.start': 'steward',
    'session.end': 'steward',
    'session.enter': 'steward',
    'session.media': 'steward',
    'session.chat': 'steward',
    'invitation.list': 'steward',
    'invitation.create': 'steward',
    'invitation.revoke': 'steward',
    'whistle.create': 'steward',
    'agreement.create': 'steward',
    'agreement.edit': 'steward',
    'agreement.freeze': 'steward',
    'agreement.links': 'steward',
    'agreement.finalise': 'steward',
    'agreement.settle': 'steward',
    'agreement.sign': 'signer',
    'record.create': 'steward',
    'record.edit': 'steward',
    'record.freeze': 'steward',
    'record.finalise': 'steward',
    'whistle.respond': 'called',
    'recording.review': 'reviewer',
    'recording.compose': 'reviewer',
    'judicial.apply': 'steward',
    'judicial.review': 'court',
    'judicial.decide': 'court',
    'judicial.hearing': 'court',
  };
  assert.deepEqual(accessActions, expected);
});

test('on each of two cases, everyone without a relation to it is refused on every route (403, rule named, recorded), and the can map agrees', async () => {
  let checked = 0;
  for (const k of [1, 2] as const) {
    for (const [actor, role] of Object.entries(actors)) {
      const detail = await t.request('GET', `/api/cases/${cases[k].caseId}`, { token: tok[actor] });
      const can: Record<string, boolean> | undefined = detail.status === 200 ? detail.body.can : undefined;
      assert.equal(detail.status === 200, holds(actor, 'reader', k), `${actor} reads case ${k}: ${detail.status}`);
      for (const [key, rule] of withAction) {
        if (!rolesOf(key).includes(role)) continue; // the role table's refusal: routePermissions.test.ts
        const expected = holds(actor, accessActions[rule.action], k);
        if (can) assert.equal(can[rule.action], expected, `can['${rule.action}'] for ${actor} on case ${k}`);
        const [method, path] = pathOf(key, k);
        if (expected) {
          // Reads must pass the rule; writes are exercised by the feature tests (here they would change the case).
          if (method === 'GET') {
            const res = await t.request(method, path, { token: tok[actor] });
            assert.notEqual(res.status, 403, `${key} as ${actor} on case ${k}: ${res.text}`);
          }
          continue;
        }
        const before = t.refusals.length;
        // Public routes validate their body before the handler applies the rule: give them a valid one.
        const hash = 'a'.repeat(64);
        const bodies: Partial<Record<RouteKey, unknown>> = {
          'POST /api/agreements/:agreementId/comments': { revision: 1, clauseIndex: 0, text: '这一条我有意见' },
          'POST /api/records/:recordId/otp': { revisionHash: hash },
          'POST /api/records/:recordId/confirm': {
            revisionHash: hash,
            consent: true,
            consentLang: 'zh-CN',
            code: '123456',
            signaturePng: 'data:image/png;base64,AAAA',
          },
          'POST /api/records/:recordId/object': { revisionHash: hash, objection: '记录有误' },
        };
        const body = bodies[key] ?? {};
        const res = await t.request(method, path, { token: tok[actor], ...(method === 'GET' ? {} : { body }) });
        assert.equal(res.status, 403, `${key} as ${actor} on case ${k}: ${res.status} ${res.text}`);
        assert.equal(res.body.code, 'forbidden');
        assert.equal(res.body.details?.action, rule.action, `${key}: the refusal names the rule`);
        assert.equal(t.refusals.length, before + 1, `${key} as ${actor}: one recorded refusal`);
        assert.deepEqual(t.refusals.at(-1), {
          userId: ids[actor],
          role,
          action: rule.action,
          caseId: cases[k].caseId,
          via: rule.by === 'token' ? 'agreement' : key,
        });
        checked++;
      }
    }
  }
  assert.ok(checked > 150, `checked ${checked} refusals`);
});

test('lists leave out cases, whistles and notes of cases the caller may not read', async () => {
  for (const [actor, role] of Object.entries(actors)) {
    if (!rolesOf('GET /api/cases').includes(role)) continue; // a judge works from their court's queue
    const list = await t.request('GET', '/api/cases', { token: tok[actor] });
    assert.equal(list.status, 200);
    const seen = new Set((list.body as Array<{ id: string }>).map((c) => c.id));
    for (const k of [1, 2] as const) assert.equal(seen.has(cases[k].caseId), holds(actor, 'reader', k), `${actor} lists case ${k}`);
  }
  const whistles = await t.request('GET', '/api/whistles?status=all', { token: tok.m2 });
  assert.deepEqual(
    (whistles.body as Array<{ caseId: string }>).map((w) => w.caseId),
    [cases[2].caseId],
  );
  const notes = await t.request('GET', '/api/supervision-notes?status=all', { token: tok.m1 });
  assert.deepEqual(
    (notes.body as Array<{ caseId: string }>).map((n) => n.caseId),
    [cases[1].caseId],
  );
});

test('the case’s own mediator and called-in official still do their work', async () => {
  const c = cases[1];
  const list = await t.request('GET', `/api/sessions/${c.sessionId}/invitations`, { token: tok.m1 });
  assert.equal(list.status, 200);
  // An official of another department, never called in, cannot witness; the called-in one reaches the signing checks.
  const body = { as: 'witness', revisionHash: 'a'.repeat(64), consent: true, consentLang: 'zh-CN', signaturePng: 'data:image/png;base64,AAAA' };
  const stranger = await t.request('POST', `/api/agreements/${c.agreementId}/sign`, { token: tok.o2, body });
  assert.equal(stranger.status, 403);
  const called = await t.request('POST', `/api/agreements/${c.agreementId}/sign`, { token: tok.o1, body });
  assert.notEqual(called.status, 403, called.text);
  // A mediator of another case cannot start a session here, nor after starting one could they edit the agreement.
  assert.equal((await t.request('POST', `/api/cases/${c.caseId}/sessions`, { token: tok.m2 })).status, 403);
  const end = await t.request('POST', `/api/sessions/${c.sessionId}/end`, { token: tok.m1 });
  assert.equal(end.status, 200, end.text);
});
