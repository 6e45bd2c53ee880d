/* Shared set-up for the case-loop API tests (tests/api/caseloop*.test.ts). */
import { type CaseState } from '../../server/protocol/caseLoop.ts';
import assert from 'node:assert/strict';
import type { CreateCaseRequest } from '../../server/protocol/cases.ts';
import type { StaffRole } from '../../server/protocol/roles.ts';
import type { TestServer } from '../helpers/httpServer.ts';

export const RAW_PHONES = ['13812345678', '13987654321'];
export const RAW_ID = '11010119900307123X';

export function labourCase(overrides: Partial<CreateCaseRequest> = {}): CreateCaseRequest {
  return {
    disputeType: 'labour',
    title: '欠薪纠纷',
    description: '拖欠三个月工资',
    district: '示范区',
    town: '城关街道',
    community: '幸福社区',
    grid: '第3网格',
    parties: [
      { side: 'applicant', name: '张三', phone: '138-1234-5678', idNumber: RAW_ID },
      { side: 'respondent', name: '某某建筑公司', phone: '13987654321' },
    ],
    ...overrides,
  };
}

export interface LoopWorld {
  t: TestServer;
  tok: Record<string, string>;
  ids: Record<string, string>;
  units: Record<'committee' | 'town' | 'county' | 'city' | 'hr' | 'traffic' | 'inactive', string>;
}

const users: Array<[string, StaffRole, string]> = [
  ['mediator1', 'mediator', '王调解员'],
  ['mediator2', 'mediator', '陈调解员'],
  ['supervisor1', 'supervisor', '李主任'],
  ['admin1', 'admin', '管理员'],
  ['official1', 'official', '赵科长'],
  ['official2', 'official', '钱警官'],
  ['grid1', 'gridworker', '孙网格员'],
];

/** Users, tokens and a unit per level (created through the admin API), officials put in their departments. */
export async function setupWorld(t: TestServer): Promise<LoopWorld> {
  const tok: Record<string, string> = {};
  const ids: Record<string, string> = {};
  for (const [name, role, displayName] of users) {
    ids[name] = await t.createUser(name, role, undefined, { displayName });
    tok[name] = (await t.login(name)).token;
  }
  const unit = async (body: Record<string, unknown>) => {
    const res = await t.request('POST', '/api/admin/units', { token: tok.admin1, body });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  const units = {
    committee: await unit({ name: '幸福社区人民调解委员会', kind: 'mediation_committee', level: 'community' }),
    town: await unit({ name: '城关街道调处中心', kind: 'mediation_centre', level: 'town' }),
    county: await unit({ name: '区调处中心', kind: 'mediation_centre', level: 'county' }),
    city: await unit({ name: '市调处中心', kind: 'mediation_centre', level: 'city' }),
    hr: await unit({ name: '区人社局', kind: 'department', level: 'county', department: 'human_resources' }),
    traffic: await unit({ name: '区交警大队', kind: 'department', level: 'county', department: 'traffic_police' }),
    inactive: await unit({ name: '已撤销中心', kind: 'mediation_centre', level: 'town' }),
  };
  assert.equal((await t.request('PUT', `/api/admin/units/${units.inactive}`, { token: tok.admin1, body: { active: false } })).status, 200);
  for (const [user, u] of [
    ['official1', units.hr],
    ['official2', units.traffic],
  ] as const) {
    const res = await t.request('PUT', `/api/admin/users/${ids[user]}/unit`, { token: tok.admin1, body: { unitId: u } });
    assert.equal(res.status, 200, res.text);
  }
  return { t, tok, ids, units };
}

export async function act(w: LoopWorld, who: string, caseId: string, action: string, body: unknown = {}) {
  return w.t.request('POST', `/api/cases/${caseId}/actions/${action}`, { token: w.tok[who], body });
}

export async function ok(w: LoopWorld, who: string, caseId: string, action: string, body: unknown = {}) {
  const res = await act(w, who, caseId, action, body);
  assert.equal(res.status, 200, `${action} by ${who}: ${res.text}`);
  return res.body;
}

/** A valid payload for every routed action (for a case led by mediator1 in the county centre). */
export function payloadFor(w: LoopWorld, action: string): unknown {
  switch (action) {
    case 'register':
      return { note: '窗口受理' };
    case 'take_on':
      return { grade: 'low' };
    case 'grade_and_route':
      return { grade: 'medium', level: 'county', unitId: w.units.county };
    case 'assign':
      return { mediatorId: w.ids.mediator1 };
    case 'reassign':
      return { mediatorId: w.ids.mediator2, reason: '回避' };
    case 'escalate':
      return { toLevel: 'city', reason: '涉及面广' };
    case 'close_settled':
      return { agreementForm: 'written', summary: '分两期支付' };
    case 'close_unsettled':
      return { reason: '被申请人拒绝调解', referredTo: 'arbitration' };
    case 'record_follow_up':
      return { date: '2026-03-02', method: 'phone', satisfaction: 'satisfied', notes: '已履行' };
    case 'reopen':
      return { reason: '当事人不满意' };
    default:
      throw new Error(action);
  }
}

/** Who performs an action legally: the supervisor for centre actions, the lead mediator otherwise. */
export function actorFor(action: string): string {
  return ['grade_and_route', 'assign', 'reassign', 'reopen', 'register'].includes(action) ? 'supervisor1' : 'mediator1';
}

/** Drives a fresh case (reported by the grid worker) into `state` through the API. */
export async function caseIn(w: LoopWorld, state: CaseState, overrides: Partial<CreateCaseRequest> = {}): Promise<string> {
  const c = await w.t.request('POST', '/api/cases', { token: w.tok.grid1, body: labourCase(overrides) });
  assert.equal(c.status, 201, c.text);
  const id = c.body.id as string;
  if (state === 'reported') return id;
  await ok(w, 'supervisor1', id, 'register');
  if (state === 'registered') return id;
  await ok(w, 'supervisor1', id, 'grade_and_route', { grade: 'medium', level: 'town', unitId: w.units.town });
  if (state === 'routed') return id;
  if (state === 'escalated') {
    await ok(w, 'supervisor1', id, 'escalate', { toLevel: 'county', reason: '复杂' });
    return id;
  }
  await ok(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 });
  if (state === 'assigned') return id;
  const s = await w.t.request('POST', `/api/cases/${id}/sessions`, { token: w.tok.mediator1 });
  assert.equal(s.status, 201, s.text);
  if (state === 'in_mediation') return id;
  if (state === 'closed_unsettled') {
    await ok(w, 'mediator1', id, 'close_unsettled', payloadFor(w, 'close_unsettled'));
    return id;
  }
  await ok(w, 'mediator1', id, 'close_settled', payloadFor(w, 'close_settled'));
  if (state === 'closed_settled') return id;
  const satisfaction = state === 'reopened' ? 'not_satisfied' : 'satisfied';
  const date = w.t.clock.now().toISOString();
  await ok(w, 'mediator1', id, 'record_follow_up', { date, method: 'phone', satisfaction, notes: '回访' });
  if (state === 'followed_up') return id;
  await ok(w, 'supervisor1', id, 'reopen', { reason: '当事人不满意' });
  return id;
}

/** Everything a refused request must leave untouched. */
export async function snapshot(t: TestServer, caseId: string): Promise<unknown> {
  const db = t.testDb.db;
  return {
    case: await db.case.findUnique({ where: { id: caseId } }),
    timeline: await db.timelineEntry.count({ where: { caseId } }),
    followUps: await db.followUp.count({ where: { caseId } }),
    sessions: await db.mediationSession.count({ where: { caseId } }),
    notes: await db.supervisionNote.count({ where: { caseId } }),
    whistles: await db.whistleRequest.count({ where: { caseId } }),
    links: await db.followUpLink.count({ where: { caseId } }),
  };
}

export const DAY = 24 * 3600_000;

/** The tests move the clock by days; staff logins (12 h by default) must outlive that. */
export const LONG_LOGINS = { env: { STAFF_SESSION_HOURS: String(24 * 365) } };
