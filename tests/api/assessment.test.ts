import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { artifactFile } from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { LONG_LOGINS, labourCase, ok, setupWorld, type LoopWorld } from './caseloopHelpers.ts';

/*
 * Performance assessment: a fixture of cases built through the API under a fixed clock moved
 * between steps, a ledger of what happened kept by the test itself, and every number of the report
 * (per unit, per person, per period, the trend, the CSV) recomputed here from the ledger.
 */

let t: TestServer;
let w: LoopWorld;
const H = 3600_000;
const D = 24 * H;
const cst = (s: string) => new Date(`${s}+08:00`).getTime();
const at = (s: string) => t.clock.set(new Date(cst(s)));
const NOW = '2026-04-02T10:00:00';

interface LedgerCase {
  key: string;
  id: string;
  caseNumber: string;
  unit: string | null;
  lead: string | null;
  reporter: string;
  created: number;
  started: number | null;
  deadline: number | null;
  closed: number | null;
  settled: boolean | null;
}
const cases: Record<string, LedgerCase> = {};
const followUps: Array<{ key: string; at: number; satisfaction: string }> = [];
const whistles: Array<{ key: string; unit: string; requested: number; answered: number | null; by: string | null; whistleId: string }> = [];

const now = () => t.clock.now().getTime();

async function report(key: string) {
  const res = await t.request('POST', '/api/cases', { token: w.tok.grid1, body: labourCase({ title: `案件${key}` }) });
  assert.equal(res.status, 201, res.text);
  cases[key] = {
    key,
    id: res.body.id,
    caseNumber: res.body.caseNumber,
    unit: null,
    lead: null,
    reporter: w.ids.grid1!,
    created: now(),
    started: null,
    deadline: null,
    closed: null,
    settled: null,
  };
}

async function route(
  key: string,
  unit: keyof LoopWorld['units'],
  level: string,
  grade: string,
  days: number,
  mediator: 'mediator1' | 'mediator2',
  session = true,
) {
  const c = cases[key]!;
  await ok(w, 'supervisor1', c.id, 'register');
  await ok(w, 'supervisor1', c.id, 'grade_and_route', { grade, level, unitId: w.units[unit], timeLimitDays: days });
  await ok(w, 'supervisor1', c.id, 'assign', { mediatorId: w.ids[mediator] });
  if (session) assert.equal((await t.request('POST', `/api/cases/${c.id}/sessions`, { token: w.tok[mediator] })).status, 201);
  Object.assign(c, { unit: w.units[unit], lead: w.ids[mediator], started: now(), deadline: now() + days * D });
}

async function close(key: string, settled: boolean, who: 'mediator1' | 'mediator2') {
  const c = cases[key]!;
  if (settled) await ok(w, who, c.id, 'close_settled', { agreementForm: 'written', summary: '达成协议' });
  else await ok(w, who, c.id, 'close_unsettled', { reason: '拒绝调解', referredTo: 'court' });
  Object.assign(c, { closed: now(), settled });
}

async function followUp(key: string, satisfaction: string, who: 'mediator1' | 'mediator2') {
  await ok(w, who, cases[key]!.id, 'record_follow_up', { date: t.clock.now().toISOString(), method: 'phone', satisfaction, notes: '回访' });
  followUps.push({ key, at: now(), satisfaction });
}

async function whistle(key: string, unit: 'hr' | 'traffic') {
  const res = await t.request('POST', `/api/cases/${cases[key]!.id}/whistles`, { token: w.tok.mediator2, body: { unitId: w.units[unit], need: '请到场' } });
  assert.equal(res.status, 201, res.text);
  whistles.push({ key, unit: w.units[unit], requested: now(), answered: null, by: null, whistleId: res.body.id });
  return whistles.at(-1)!;
}

async function answer(x: (typeof whistles)[number], who: 'official1' | 'official2', how: 'accept' | 'decline') {
  const res = await t.request('POST', `/api/whistles/${x.whistleId}/${how}`, { token: w.tok[who], body: how === 'decline' ? { reason: '非本部门职责' } : {} });
  assert.equal(res.status, 200, res.text);
  x.answered = now();
  x.by = w.ids[who]!;
}

/* ------------------------------------------------------------------------------------------ */
/* The test's own arithmetic, from the ledger                                                   */
/* ------------------------------------------------------------------------------------------ */

const scored = ['onTimeRate', 'successRate', 'satisfactionRate', 'followUpRate', 'notOverdueRate', 'speedScore', 'whistleScore'] as const;
type Weights = { weights: Record<(typeof scored)[number], number>; limits: { handlingDays: number; whistleHours: number; minClosed: number } };
type RankedRow = { name: string; rank: number | null; figures: { score: number | null; closed: number } };

/** Ranked by score among those who closed at least minClosed cases; the other scored rows follow without a rank, then the unscored; equal scores share a rank. */
function assertRanking(r: { units: RankedRow[]; persons: RankedRow[] }, minClosed: number, label: string): number {
  let unranked = 0;
  for (const rows of [r.units, r.persons]) {
    const eligible = (x: RankedRow) => x.figures.score !== null && x.figures.closed >= minClosed;
    const tiers = rows.map((x) => (eligible(x) ? 0 : x.figures.score !== null ? 1 : 2));
    assert.deepEqual(tiers, [...tiers].sort(), `${label}: ranked, then scored below the threshold, then unscored`);
    const ranked = rows.filter(eligible);
    const scores = ranked.map((x) => x.figures.score!);
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => b - a),
      `${label}: highest score first`,
    );
    ranked.forEach((x, i) => assert.equal(x.rank, 1 + scores.findIndex((v) => Math.abs(v - scores[i]!) < 1e-9), `${label}: ${x.name}'s rank`));
    for (const x of rows.filter((y) => !eligible(y))) assert.equal(x.rank, null, `${label}: ${x.name} takes no rank`);
    unranked += rows.filter((x) => x.figures.score !== null && !eligible(x)).length;
  }
  return unranked;
}

/** Calendar day in China (UTC+8, no daylight saving). */
const chinaDay = (ms: number) => Math.floor((ms + 8 * H) / D);

function expected(cs: LedgerCase[], ws: typeof whistles, from: number, to: number, weights: Weights) {
  const nowMs = cst(NOW);
  const inside = (x: number | null) => x !== null && x >= from && x < to;
  const keys = new Set(cs.map((c) => c.key));
  const closed = cs.filter((c) => inside(c.closed));
  const onTime = closed.filter((c) => c.closed! <= c.deadline!);
  const settled = closed.filter((c) => c.settled);
  const openAt = (c: LedgerCase, x: number) => c.closed === null || c.closed > x;
  const yellow = cs.filter((c) => {
    if (c.started === null) return false;
    const turns = c.started + Math.ceil((c.deadline! - c.started) * 0.75);
    return inside(turns) && turns <= nowMs && openAt(c, turns);
  });
  const red = cs.filter((c) => c.deadline !== null && inside(c.deadline + 1) && c.deadline + 1 <= nowMs && openAt(c, c.deadline + 1));
  const running = cs.filter((c) => c.started !== null && c.started < to && (c.closed === null || c.closed >= from));
  const fu = followUps.filter((f) => keys.has(f.key) && inside(f.at));
  const happy = fu.filter((f) => f.satisfaction !== 'not_satisfied');
  const answered = ws.filter((x) => inside(x.requested) && x.answered !== null);
  const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const avgDays = avg(closed.map((c) => chinaDay(c.closed!) - chinaDay(c.created)));
  const avgHours = avg(answered.map((x) => (x.answered! - x.requested) / H));
  const ratio = (a: number, b: number) => (b ? a / b : null);
  const indicators = {
    onTimeRate: ratio(onTime.length, closed.length),
    successRate: ratio(settled.length, closed.length),
    satisfactionRate: ratio(happy.length, fu.length),
    followUpRate: closed.length ? Math.min(1, fu.length / closed.length) : null,
    notOverdueRate: running.length ? 1 - Math.min(1, red.length / running.length) : null,
    speedScore: avgDays === null ? null : Math.max(0, 1 - avgDays / weights.limits.handlingDays),
    whistleScore: avgHours === null ? null : Math.max(0, 1 - avgHours / weights.limits.whistleHours),
  };
  let num = 0;
  let den = 0;
  for (const k of scored) {
    const v = indicators[k];
    if (v === null || weights.weights[k] === 0) continue;
    num += weights.weights[k] * v;
    den += weights.weights[k];
  }
  return {
    received: cs.filter((c) => inside(c.created)).length,
    closed: closed.length,
    onTime: onTime.length,
    yellow: yellow.length,
    red: red.length,
    running: running.length,
    settled: settled.length,
    followUps: fu.length,
    satisfied: happy.length,
    whistles: answered.length,
    avgHandlingDays: avgDays,
    avgWhistleHours: avgHours,
    indicators,
    score: den ? (100 * num) / den : null,
    members: {
      received: cs.filter((c) => inside(c.created)).map((c) => c.key),
      red: red.map((c) => c.key),
      yellow: yellow.map((c) => c.key),
      onTime: onTime.map((c) => c.key),
      whistles: answered.map((x) => x.key),
    },
  };
}

function assertFigures(actual: Record<string, unknown>, exp: ReturnType<typeof expected>, what: string) {
  for (const k of ['received', 'closed', 'onTime', 'yellow', 'red', 'running', 'settled', 'followUps', 'satisfied', 'whistles'] as const) {
    assert.equal(actual[k], exp[k], `${what}: ${k}`);
  }
  const close = (a: unknown, e: number | null, k: string) => {
    if (e === null) assert.equal(a, null, `${what}: ${k}`);
    else assert.ok(typeof a === 'number' && Math.abs(a - e) < 1e-9, `${what}: ${k} = ${String(a)}, expected ${e}`);
  };
  close(actual.avgHandlingDays, exp.avgHandlingDays, 'avgHandlingDays');
  close(actual.avgWhistleHours, exp.avgWhistleHours, 'avgWhistleHours');
  const ind = actual.indicators as Record<string, unknown>;
  for (const k of scored) close(ind[k], exp.indicators[k], k);
  close(actual.score, exp.score, 'score');
}

/** The cases and whistles of each unit and person, by the definitions (lead; a grid worker's reports; the whistles a unit was called to or a person answered). */
function subjectOf(kind: 'unit' | 'person', id: string, role?: string) {
  const all = Object.values(cases);
  if (kind === 'unit') return { cs: all.filter((c) => c.unit === id), ws: whistles.filter((x) => x.unit === id) };
  return { cs: all.filter((c) => c.lead === id || (role === 'gridworker' && c.reporter === id)), ws: whistles.filter((x) => x.by === id) };
}

const periods = [
  { q: 'period=month&month=2026-03', from: cst('2026-03-01T00:00:00'), to: cst('2026-04-01T00:00:00'), label: '2026-03' },
  { q: 'period=month&month=2026-02', from: cst('2026-02-01T00:00:00'), to: cst('2026-03-01T00:00:00'), label: '2026-02' },
  { q: 'period=month&month=2026-04', from: cst('2026-04-01T00:00:00'), to: cst('2026-05-01T00:00:00'), label: '2026-04' },
  { q: 'period=quarter&quarter=2026-Q1', from: cst('2026-01-01T00:00:00'), to: cst('2026-04-01T00:00:00'), label: '2026-Q1' },
  { q: 'period=custom&from=2026-03-01&to=2026-03-05', from: cst('2026-03-01T00:00:00'), to: cst('2026-03-06T00:00:00'), label: '2026-03-01~2026-03-05' },
];

const roleOf: Record<string, string> = {};

before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);
  for (const [name, unit] of [
    ['supTown', 'town'],
    ['supCommunity', 'committee'],
  ] as const) {
    w.ids[name] = await t.createUser(name, 'supervisor', undefined, { displayName: name });
    w.tok[name] = (await t.login(name)).token;
    assert.equal((await t.request('PUT', `/api/admin/users/${w.ids[name]}/unit`, { token: w.tok.admin1, body: { unitId: w.units[unit] } })).status, 200);
  }
  for (const [user, unit] of [
    ['mediator1', 'town'],
    ['mediator2', 'county'],
  ] as const) {
    assert.equal((await t.request('PUT', `/api/admin/users/${w.ids[user]}/unit`, { token: w.tok.admin1, body: { unitId: w.units[unit] } })).status, 200);
  }
  Object.assign(roleOf, {
    [w.ids.mediator1!]: 'mediator',
    [w.ids.mediator2!]: 'mediator',
    [w.ids.grid1!]: 'gridworker',
    [w.ids.official1!]: 'official',
    [w.ids.official2!]: 'official',
  });

  at('2026-02-03T09:00:00');
  await report('c0');
  await route('c0', 'town', 'town', 'low', 15, 'mediator1');
  at('2026-02-10T09:00:00');
  await close('c0', true, 'mediator1');
  at('2026-02-12T09:00:00');
  await followUp('c0', 'satisfied', 'mediator1');
  at('2026-02-20T09:00:00');
  await report('c1');
  await route('c1', 'town', 'town', 'low', 15, 'mediator1');
  at('2026-03-02T09:00:00');
  await report('c2');
  await route('c2', 'town', 'town', 'medium', 2, 'mediator1');
  at('2026-03-03T09:00:00');
  await close('c1', true, 'mediator1');
  await report('c3');
  await route('c3', 'county', 'county', 'high', 5, 'mediator2');
  at('2026-03-03T10:00:00');
  const w3 = await whistle('c3', 'hr');
  at('2026-03-03T14:00:00');
  await answer(w3, 'official1', 'accept');
  at('2026-03-05T09:00:00');
  await followUp('c1', 'satisfied', 'mediator1');
  await close('c3', false, 'mediator2');
  await report('c4');
  await route('c4', 'committee', 'community', 'low', 3, 'mediator2', false);
  at('2026-03-06T09:00:00');
  await close('c2', true, 'mediator1');
  at('2026-03-08T09:00:00');
  await followUp('c2', 'not_satisfied', 'mediator1');
  at('2026-03-10T09:00:00');
  await followUp('c3', 'basically_satisfied', 'mediator2');
  await report('c5');
  at('2026-03-12T09:00:00');
  await report('c6');
  await route('c6', 'county', 'county', 'medium', 10, 'mediator2');
  at('2026-03-12T12:00:00');
  const w6 = await whistle('c6', 'traffic');
  at('2026-03-12T13:00:00');
  await whistle('c6', 'hr');
  at('2026-03-13T12:00:00');
  await answer(w6, 'official2', 'decline');
  // Reported in March in China (15:30 UTC on 31 March), closed an hour later on 1 April: one calendar day.
  at('2026-03-31T23:30:00');
  await report('c8');
  await route('c8', 'town', 'town', 'low', 15, 'mediator1');
  at('2026-04-01T00:30:00');
  await close('c8', true, 'mediator1');
  at(NOW);
});
after(async () => t.close());

async function get(path: string, who = 'supervisor1') {
  const res = await t.request('GET', path, { token: w.tok[who] });
  assert.equal(res.status, 200, `${path}: ${res.text}`);
  return res.body;
}

describe('performance assessment (绩效考核)', () => {
  test('every number of every unit, person, period and trend point matches the ledger', async () => {
    const weights = (await get('/api/admin/assessment-weights')).weightSet as Weights;
    for (const p of periods) {
      const r = await get(`/api/assessment?${p.q}`);
      assert.equal(r.period.label, p.label);
      assert.equal(new Date(r.period.from).getTime(), p.from, `${p.label} from`);
      assert.equal(new Date(r.period.to).getTime(), p.to, `${p.label} to`);
      assert.deepEqual(
        r.units.map((u: { name: string }) => u.name).sort(),
        ['区交警大队', '区人社局', '区调处中心', '城关街道调处中心', '市调处中心', '幸福社区人民调解委员会'].sort(),
      );
      for (const u of r.units) {
        const s = subjectOf('unit', u.id);
        assertFigures(u.figures, expected(s.cs, s.ws, p.from, p.to, weights), `${p.label} unit ${u.name}`);
      }
      assert.deepEqual(r.persons.map((x: { id: string }) => x.id).sort(), Object.keys(roleOf).sort(), 'mediators, the grid worker and the officials');
      for (const x of r.persons) {
        const s = subjectOf('person', x.id, roleOf[x.id]);
        assertFigures(x.figures, expected(s.cs, s.ws, p.from, p.to, weights), `${p.label} person ${x.name}`);
      }
      assertFigures(r.total, expected(Object.values(cases), whistles, p.from, p.to, weights), `${p.label} total`);
      for (const point of r.trend) {
        const e = expected(Object.values(cases), whistles, new Date(point.from).getTime(), new Date(point.to).getTime(), weights);
        assert.deepEqual([point.received, point.closed], [e.received, e.closed], `trend ${point.label}`);
        for (const k of ['onTimeRate', 'satisfactionRate'] as const)
          assert.equal(point[k] === null ? null : Number(point[k].toFixed(12)), e.indicators[k] === null ? null : Number(e.indicators[k].toFixed(12)));
        assert.equal(point.score === null ? null : point.score.toFixed(9), e.score === null ? null : e.score.toFixed(9), `trend ${point.label} score`);
      }
      assertRanking(r, weights.limits.minClosed, p.label);
    }
    const march = await get(`/api/assessment?${periods[0]!.q}`);
    assert.deepEqual(
      march.trend.map((p: { label: string }) => p.label),
      ['2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03'],
    );
    // The fixture does exercise every kind of number.
    const e = expected(Object.values(cases), whistles, periods[0]!.from, periods[0]!.to, weights);
    assert.ok(e.yellow > 0 && e.red > 0 && e.onTime > 0 && e.closed > e.onTime && e.whistles === 2 && e.followUps === 3, JSON.stringify(e));
  });

  test('drill-down lists the cases behind a number', async () => {
    const r = await get(`/api/assessment?${periods[0]!.q}`);
    const weights = r.weights.weightSet as Weights;
    for (const [subject, list] of [
      ['unit', r.units],
      ['person', r.persons],
    ] as const) {
      for (const row of list) {
        const s = subjectOf(subject, row.id, roleOf[row.id]);
        const e = expected(s.cs, s.ws, periods[0]!.from, periods[0]!.to, weights);
        for (const indicator of ['received', 'red', 'yellow', 'onTime', 'whistles'] as const) {
          const got = await get(`/api/assessment/cases?${periods[0]!.q}&subject=${subject}&id=${row.id}&indicator=${indicator}`);
          const want = [...new Set(e.members[indicator])].map((k) => cases[k]!.caseNumber).sort();
          assert.deepEqual(
            got.map((c: { caseNumber: string }) => c.caseNumber),
            want,
            `${subject} ${row.name} ${indicator}`,
          );
        }
      }
    }
  });

  test('the CSV carries the same numbers, with a BOM', async () => {
    const r = await get(`/api/assessment?${periods[0]!.q}`);
    for (const subject of ['unit', 'person'] as const) {
      const res = await fetch(`${t.baseUrl}/api/assessment/export.csv?${periods[0]!.q}&subject=${subject}`, {
        headers: { authorization: `Bearer ${w.tok.supervisor1}` },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/csv; charset=utf-8/);
      const raw = Buffer.from(await res.arrayBuffer());
      assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
      const lines = raw.subarray(3).toString('utf8').trim().split('\r\n');
      const header = lines[0]!.split(',');
      const col = (name: string) => header.indexOf(name);
      assert.ok(col('得分') > 0 && col('按期办结') > 0 && col('计算公式') > 0, lines[0]);
      const rows = subject === 'unit' ? r.units : r.persons;
      assert.equal(lines.length, rows.length + 1);
      rows.forEach((row: { name: string; figures: Record<string, number | null> }, i: number) => {
        const cells = lines[i + 1]!.split(',');
        assert.equal(cells[col('名称')], row.name);
        for (const [h, k] of [
          ['受理', 'received'],
          ['办结', 'closed'],
          ['按期办结', 'onTime'],
          ['黄灯', 'yellow'],
          ['红灯', 'red'],
          ['回访', 'followUps'],
        ] as const)
          assert.equal(Number(cells[col(h)]), row.figures[k], `${row.name} ${h}`);
        const score = row.figures.score;
        assert.equal(cells[col('得分')], score === null ? '' : String(score), `${row.name} score`);
      });
    }
  });

  test('the printable report is a PDF', async () => {
    const res = await fetch(`${t.baseUrl}/api/assessment/report.pdf?${periods[0]!.q}`, { headers: { authorization: `Bearer ${w.tok.supervisor1}` } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(bytes.length > 5000);
    // Kept for looking at: tests/artifacts/assessment-report.pdf.
    writeFileSync(artifactFile('assessment-report.pdf'), bytes);
  });

  test('scope: a supervisor sees the units of their scope only; mediators are refused', async () => {
    const town = await get(`/api/assessment?${periods[0]!.q}`, 'supTown');
    assert.deepEqual(town.units.map((u: { name: string }) => u.name).sort(), ['城关街道调处中心', '幸福社区人民调解委员会'].sort());
    assert.deepEqual(
      town.persons.map((p: { id: string }) => p.id),
      [w.ids.mediator1],
    );
    // The town scope's total: cases of its units and the ones not routed yet.
    const weights = town.weights.weightSet as Weights;
    const scoped = Object.values(cases).filter((c) => c.unit === null || c.unit === w.units.town || c.unit === w.units.committee);
    assertFigures(town.total, expected(scoped, [], periods[0]!.from, periods[0]!.to, weights), 'town scope total');

    const outside = await t.request('GET', `/api/assessment?${periods[0]!.q}&unitId=${w.units.county}`, { token: w.tok.supCommunity });
    assert.equal(outside.status, 403);
    const drill = await t.request('GET', `/api/assessment/cases?${periods[0]!.q}&subject=unit&id=${w.units.county}&indicator=received`, {
      token: w.tok.supTown,
    });
    assert.equal(drill.status, 403);
    const person = await t.request('GET', `/api/assessment/cases?${periods[0]!.q}&subject=person&id=${w.ids.mediator2}&indicator=received`, {
      token: w.tok.supTown,
    });
    assert.equal(person.status, 403);
    const own = await get(`/api/assessment?${periods[0]!.q}&unitId=${w.units.committee}`, 'supCommunity');
    assert.deepEqual(
      own.units.map((u: { id: string }) => u.id),
      [w.units.committee],
    );
    for (const who of ['mediator1', 'official1', 'grid1']) {
      assert.equal((await t.request('GET', `/api/assessment?${periods[0]!.q}`, { token: w.tok[who] })).status, 403, who);
      assert.equal((await t.request('GET', `/api/assessment/export.csv?${periods[0]!.q}`, { token: w.tok[who] })).status, 403, who);
    }
    assert.equal((await t.request('GET', '/api/assessment?period=month&month=2026-13', { token: w.tok.supervisor1 })).status, 400);
    assert.equal((await t.request('GET', '/api/assessment?period=custom&from=2026-03-05&to=2026-03-01', { token: w.tok.supervisor1 })).status, 400);
  });

  test('weights: validated (field errors, nothing changed), versioned, and the scores follow them', async () => {
    const before = await get('/api/admin/assessment-weights');
    const put = (body: unknown, who = 'admin1') => t.request('PUT', '/api/admin/assessment-weights', { token: w.tok[who], body });
    const good = structuredClone(before.weightSet) as Weights;
    assert.equal((await put(good, 'supervisor1')).status, 403, 'supervisors read, admins edit');

    const bad = [
      { ...good, weights: { ...good.weights, onTimeRate: 0.9 } },
      { ...good, weights: { ...good.weights, successRate: -0.1, onTimeRate: 0.6 } },
      { ...good, weights: { ...good.weights, bogus: 0 } },
      { ...good, limits: { ...good.limits, handlingDays: 0 } },
      { ...good, limits: { handlingDays: 30 } },
      { ...good, limits: { ...good.limits, minClosed: -1 } },
    ];
    const fields = ['weights', 'weights.successRate', 'weights', 'limits.handlingDays', 'limits.whistleHours', 'limits.minClosed'];
    for (const [i, body] of bad.entries()) {
      const res = await put(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(
        Object.keys(res.body.details ?? {}).some((k) => k === fields[i]),
        `${fields[i]} in ${JSON.stringify(res.body.details)}`,
      );
    }
    assert.equal((await get('/api/admin/assessment-weights')).version, before.version, 'nothing changed');

    const next: Weights = {
      weights: { onTimeRate: 0.5, successRate: 0.5, satisfactionRate: 0, followUpRate: 0, notOverdueRate: 0, speedScore: 0, whistleScore: 0 },
      limits: { handlingDays: 10, whistleHours: 12, minClosed: 2 },
    };
    const saved = await put(next);
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.version, before.version + 1);
    const r = await get(`/api/assessment?${periods[0]!.q}`);
    assert.equal(r.weights.version, before.version + 1);
    for (const u of r.units) {
      const s = subjectOf('unit', u.id);
      assertFigures(u.figures, expected(s.cs, s.ws, periods[0]!.from, periods[0]!.to, next), `reweighted ${u.name}`);
    }
    assert.ok(assertRanking(r, 2, 'reweighted') > 0, 'a raised threshold leaves some scored rows without a rank');
    assert.equal((await put(before.weightSet)).status, 200);
  });
});
