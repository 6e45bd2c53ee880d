import { type DisputeType } from '../../server/protocol/caseLoop.ts';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { LONG_LOGINS, labourCase, ok, RAW_PHONES, setupWorld, type LoopWorld } from './caseloopHelpers.ts';

let t: TestServer;
let w: LoopWorld;
const H = 3600_000;
const D = 24 * H;
const T0 = new Date('2026-03-02T09:00:00+08:00').getTime();
const at = (ms: number) => t.clock.set(new Date(T0 + ms));
const n: Record<number, { id: string; caseNumber: string }> = {};

async function report(k: number, disputeType: DisputeType, createdAt: number) {
  at(createdAt);
  const res = await t.request('POST', '/api/cases', { token: w.tok.grid1, body: labourCase({ disputeType, title: `案件${k}` }) });
  assert.equal(res.status, 201, res.text);
  n[k] = { id: res.body.id, caseNumber: res.body.caseNumber };
  return res.body.id as string;
}

async function routeAssignStart(id: string, unitId: string, level: string, grade: string, timeLimitDays?: number) {
  await ok(w, 'supervisor1', id, 'register');
  await ok(w, 'supervisor1', id, 'grade_and_route', { grade, level, unitId, ...(timeLimitDays ? { timeLimitDays } : {}) });
  await ok(w, 'supervisor1', id, 'assign', { mediatorId: w.ids.mediator1 });
  assert.equal((await t.request('POST', `/api/cases/${id}/sessions`, { token: w.tok.mediator1 })).status, 201);
}

const followUp = (id: string, satisfaction: string) =>
  ok(w, 'mediator1', id, 'record_follow_up', { date: t.clock.now().toISOString(), method: 'phone', satisfaction, notes: '回访' });

/*
 * The seeded data set (T0 = 2026-03-02 09:00 China time; "now" = T0 + 167 h):
 *  1 labour     T0      town       closed settled at +24 h, follow-up satisfied           → followed_up, done
 *  2 neighbour  T0+1d   committee  closed unsettled at +48 h, follow-up basically satisfied → followed_up, done
 *  3 family     T0+2d   town       2-day limit, still in mediation                          → in_mediation, red
 *  4 debt       T0+3d   —          only reported                                            → reported, untimed (none)
 *  5 labour     T0+4d   county     closed settled at +12 h, no follow-up                    → closed_settled, done
 *  6 traffic    T0+5d   county     1-day limit; closed settled +6 h; not satisfied; reopened at T0+6d → reopened, yellow
 *  7 consumer   T0+20d  —          outside the period
 */
before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);

  const c1 = await report(1, 'labour', 0);
  await routeAssignStart(c1, w.units.town, 'town', 'low');
  at(24 * H);
  await ok(w, 'mediator1', c1, 'close_settled', { agreementForm: 'written', summary: '付清' });
  await followUp(c1, 'satisfied');

  const c2 = await report(2, 'neighbour', D);
  await routeAssignStart(c2, w.units.committee, 'community', 'low');
  at(D + 48 * H);
  await ok(w, 'mediator1', c2, 'close_unsettled', { reason: '拒绝调解', referredTo: 'court' });
  await followUp(c2, 'basically_satisfied');

  const c3 = await report(3, 'family', 2 * D);
  await routeAssignStart(c3, w.units.town, 'town', 'medium', 2);

  await report(4, 'debt', 3 * D);

  const c5 = await report(5, 'labour', 4 * D);
  await routeAssignStart(c5, w.units.county, 'county', 'high');
  at(4 * D + 12 * H);
  await ok(w, 'mediator1', c5, 'close_settled', { agreementForm: 'oral', summary: '当场履行' });

  const c6 = await report(6, 'traffic', 5 * D);
  await routeAssignStart(c6, w.units.county, 'county', 'high', 1);
  at(5 * D + 6 * H);
  await ok(w, 'mediator1', c6, 'close_settled', { agreementForm: 'written', summary: '赔偿' });
  at(6 * D);
  await followUp(c6, 'not_satisfied');
  await ok(w, 'supervisor1', c6, 'reopen', { reason: '不满意' });

  await report(7, 'consumer', 20 * D);
  at(167 * H);
});
after(async () => t.close());

const period = 'from=2026-03-02&to=2026-03-08';

describe('statistics from the database', () => {
  test('the dashboard numbers match the hand-computed ones', async () => {
    const res = await t.request('GET', `/api/stats?${period}`, { token: w.tok.supervisor1 });
    assert.equal(res.status, 200, res.text);
    const s = res.body;
    assert.equal(s.total, 6);
    assert.deepEqual(Object.fromEntries(Object.entries(s.byState).filter(([, v]) => v !== 0)), {
      reported: 1,
      in_mediation: 1,
      closed_settled: 1,
      followed_up: 2,
      reopened: 1,
    });
    assert.deepEqual(Object.fromEntries(Object.entries(s.byType).filter(([, v]) => v !== 0)), { labour: 2, neighbour: 1, family: 1, debt: 1, traffic: 1 });
    assert.deepEqual(s.byUnit, { [w.units.town]: 2, [w.units.committee]: 1, [w.units.county]: 2, '': 1 });
    assert.deepEqual(s.unitNames, {
      [w.units.town]: '城关街道调处中心',
      [w.units.committee]: '幸福社区人民调解委员会',
      [w.units.county]: '区调处中心',
      '': '未分流',
    });
    assert.deepEqual(s.byLight, { green: 0, yellow: 1, red: 1, done: 3, none: 1 }, 'the untimed report is grey (未计时), as in the lists, not green');
    assert.equal(s.untimed, 1);
    assert.equal(s.handled, 3);
    assert.equal(s.settled, 2);
    assert.equal(s.settlementRate, 2 / 3);
    assert.equal(s.followedUp, 3);
    assert.equal(s.satisfied, 2);
    assert.equal(s.satisfactionRate, 2 / 3);
    assert.equal(s.avgHoursToClose, (24 + 48 + 12) / 3);
    assert.deepEqual(s.filter, { from: '2026-03-01T16:00:00.000Z', to: '2026-03-08T16:00:00.000Z', unitId: null });
  });

  test('filter by unit and period', async () => {
    const town = (await t.request('GET', `/api/stats?${period}&unitId=${w.units.town}`, { token: w.tok.admin1 })).body;
    assert.deepEqual(
      [town.total, town.handled, town.settled, town.settlementRate, town.followedUp, town.satisfied, town.avgHoursToClose],
      [2, 1, 1, 1, 1, 1, 24],
    );
    assert.deepEqual(town.byLight, { green: 0, yellow: 0, red: 1, done: 1, none: 0 });
    const all = (await t.request('GET', '/api/stats', { token: w.tok.supervisor1 })).body;
    assert.equal(all.total, 7);
    const late = (await t.request('GET', '/api/stats?from=2026-03-05T00:00:00%2B08:00', { token: w.tok.supervisor1 })).body;
    assert.equal(late.total, 4, 'cases 4, 5, 6 and 7');
    const empty = (await t.request('GET', '/api/stats?from=2027-01-01', { token: w.tok.supervisor1 })).body;
    assert.deepEqual([empty.total, empty.settlementRate, empty.satisfactionRate, empty.avgHoursToClose], [0, null, null, null]);
  });

  test('who may see them, and bad filters', async () => {
    for (const who of ['mediator1', 'official1', 'grid1']) {
      assert.equal((await t.request('GET', '/api/stats', { token: w.tok[who] })).status, 403, who);
      assert.equal((await t.request('GET', '/api/stats/export.csv', { token: w.tok[who] })).status, 403, who);
    }
    assert.equal((await t.request('GET', '/api/stats?from=yesterday', { token: w.tok.supervisor1 })).status, 400);
  });

  test('CSV export: same selection, masked data only', async () => {
    const res = await t.request('GET', `/api/stats/export.csv?${period}`, { token: w.tok.supervisor1 });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="cases-\d{8}\.csv"$/);
    const raw = Buffer.from(
      await (await fetch(`${t.baseUrl}/api/stats/export.csv?${period}`, { headers: { authorization: `Bearer ${w.tok.supervisor1}` } })).arrayBuffer(),
    );
    assert.deepEqual([...raw.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM for Excel');
    const lines = res.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    assert.equal(
      lines[0],
      '案件编号,纠纷类型,来源,状态,等级,层级,承办单位,灯色,登记时间（Asia/Shanghai UTC+08:00）,办理期限（Asia/Shanghai UTC+08:00）,结案时间（Asia/Shanghai UTC+08:00）,调解结果,回访满意度,当事人（脱敏）',
    );
    assert.equal(lines.length, 1 + 6);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',')[0]),
      [1, 2, 3, 4, 5, 6].map((k) => n[k]!.caseNumber),
    );
    const row1 = lines[1]!.split(',');
    // The UI's labels (one source), times in the centre's zone with the offset (T0 = 09:00 China time).
    assert.deepEqual(row1.slice(1, 8), ['劳动争议', '网格上报', '已回访', '一般', '镇（街道）', '城关街道调处中心', '已办结']);
    assert.equal(row1[8], '2026-03-02T09:00:00+08:00', 'created at T0, in China time');
    assert.equal(row1[10], '2026-03-03T09:00:00+08:00', 'closed 24 h later');
    assert.equal(new Date(row1[8]!).getTime(), T0, 'the cell is an exact instant');
    assert.deepEqual(row1.slice(11, 13), ['调解成功', '满意']);
    assert.equal(lines[3]!.split(',')[7], '红灯');
    assert.equal(lines[4]!.split(',')[7], '未计时', "no light before routing, in the lists' word");
    assert.match(res.text, /张\*\(申请人;?/);
    assert.ok(res.text.includes('138****5678'));
    for (const raw of [...RAW_PHONES, '11010119900307123', '张三', '拖欠三个月工资', '案件1']) {
      assert.ok(!res.text.includes(raw), `${raw} must not be in the export`);
    }
  });
});
