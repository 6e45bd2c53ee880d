import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BOM, computeStats, csvCell, matchesFilter, toCsv, type CaseRow } from '../../../server/caseloop/stats.ts';
import { zh } from '../../../server/caseloop/i18n.ts';

const T0 = new Date('2026-01-01T00:00:00+08:00').getTime();
const H = 3_600_000;
const D = 24 * H;
const at = (ms: number) => new Date(ms);

/** A small dataset whose numbers are computed by hand in the tests below. */
const rows: CaseRow[] = [
  /* 1 */ { disputeType: 'labour', unitId: 'U1', state: 'closed_settled', light: 'done', createdAt: at(T0), closedAt: at(T0 + 24 * H), settled: true },
  /* 2 */ {
    disputeType: 'labour',
    unitId: 'U1',
    state: 'followed_up',
    light: 'done',
    createdAt: at(T0 + D),
    closedAt: at(T0 + D + 48 * H),
    settled: true,
    satisfaction: 'satisfied',
  },
  /* 3 */ {
    disputeType: 'neighbour',
    unitId: 'U2',
    state: 'followed_up',
    light: 'done',
    createdAt: at(T0 + 2 * D),
    closedAt: at(T0 + 2 * D + 12 * H),
    settled: false,
    satisfaction: 'basically_satisfied',
  },
  /* 4 */ {
    disputeType: 'neighbour',
    unitId: 'U2',
    state: 'closed_unsettled',
    light: 'done',
    createdAt: at(T0 + 3 * D),
    closedAt: at(T0 + 3 * D + 36 * H),
    settled: false,
  },
  /* 5 */ { disputeType: 'family', unitId: 'U1', state: 'in_mediation', light: 'red', createdAt: at(T0 + 4 * D) },
  /* 6: not routed, no time limit runs */ { disputeType: 'debt', unitId: null, state: 'reported', light: null, createdAt: at(T0 + 5 * D), closedAt: null },
  /* 7: reopened after a dissatisfied follow-up; its old closedAt must not count */
  {
    disputeType: 'labour',
    unitId: 'U2',
    state: 'reopened',
    light: 'yellow',
    createdAt: at(T0 + 6 * D),
    closedAt: at(T0 + 7 * D),
    settled: true,
    satisfaction: 'not_satisfied',
  },
  /* 8: February */
  { disputeType: 'traffic', unitId: 'U3', state: 'assigned', light: 'green', createdAt: '2026-02-10T09:00:00+08:00' },
];
const january = { from: '2026-01-01T00:00:00+08:00', to: '2026-02-01T00:00:00+08:00' };

describe('computeStats', () => {
  it('January, all units', () => {
    const s = computeStats(rows, january);
    assert.equal(s.total, 7);
    assert.deepEqual(s.byState, {
      reported: 1,
      registered: 0,
      routed: 0,
      assigned: 0,
      in_mediation: 1,
      closed_settled: 1,
      closed_unsettled: 1,
      followed_up: 2,
      escalated: 0,
      reopened: 1,
    });
    assert.deepEqual(s.byType, {
      labour: 3,
      neighbour: 2,
      land: 0,
      family: 1,
      debt: 1,
      property: 0,
      consumer: 0,
      traffic: 0,
      other: 0,
    });
    assert.deepEqual(s.byUnit, { U1: 3, U2: 3, '': 1 });
    assert.deepEqual(s.byLight, { green: 0, yellow: 1, red: 1, done: 4, none: 1 }, 'the untimed report is not green');
    assert.equal(s.handled, 4); // rows 1–4
    assert.equal(s.settled, 2); // row 1 (state) + row 2 (followed up, settled)
    assert.equal(s.settlementRate, 0.5);
    assert.equal(s.followedUp, 3); // rows 2, 3, 7
    assert.equal(s.satisfied, 2); // satisfied + basically satisfied
    assert.equal(s.satisfactionRate, 2 / 3);
    assert.equal(s.avgHoursToClose, (24 + 48 + 12 + 36) / 4); // 30; row 7 is open again
  });

  it('no filter takes everything', () => {
    const s = computeStats(rows);
    assert.equal(s.total, 8);
    assert.equal(s.byType.traffic, 1);
    assert.equal(s.byUnit['U3'], 1);
    assert.equal(s.byState.assigned, 1);
  });

  it('one unit', () => {
    const s = computeStats(rows, { unitId: 'U1' });
    assert.equal(s.total, 3);
    assert.equal(s.handled, 2);
    assert.equal(s.settlementRate, 1);
    assert.equal(s.satisfactionRate, 1);
    assert.equal(s.avgHoursToClose, 36);
    assert.deepEqual(s.byUnit, { U1: 3 });
  });

  it('several units within a period', () => {
    const s = computeStats(rows, { ...january, unitId: ['U2', 'U3'] });
    assert.equal(s.total, 3); // rows 3, 4, 7 (row 8 is February)
    assert.equal(s.handled, 2);
    assert.equal(s.settled, 0);
    assert.equal(s.settlementRate, 0);
    assert.equal(s.followedUp, 2);
    assert.equal(s.satisfactionRate, 0.5);
    assert.equal(s.avgHoursToClose, 24);
  });

  it('by dispute type', () => {
    const s = computeStats(rows, { disputeType: 'labour' });
    assert.equal(s.total, 3);
    assert.equal(s.handled, 2);
    assert.equal(s.satisfactionRate, 0.5); // row 2 satisfied, row 7 not
  });

  it('the period is half-open on createdAt', () => {
    const row3 = rows[2];
    assert.ok(row3);
    assert.equal(matchesFilter(row3, { from: row3.createdAt }), true);
    assert.equal(matchesFilter(row3, { to: row3.createdAt }), false);
    assert.equal(computeStats(rows, { from: at(T0 + 2 * D), to: at(T0 + 4 * D) }).total, 2);
    assert.equal(matchesFilter(rows[5]!, { unitId: 'U1' }), false, 'unrouted cases match no unit');
  });

  it('rates are null, not NaN, when there is nothing to divide by', () => {
    const s = computeStats(rows, { from: '2030-01-01T00:00:00Z' });
    assert.equal(s.total, 0);
    assert.equal(s.settlementRate, null);
    assert.equal(s.satisfactionRate, null);
    assert.equal(s.avgHoursToClose, null);
    assert.deepEqual(s.byUnit, {});
    const open = computeStats([rows[4]!]);
    assert.equal(open.settlementRate, null);
  });
});

describe('toCsv', () => {
  it('writes a BOM, a header row and CRLF rows', () => {
    const csv = toCsv(
      [
        { no: 'DY-2026-000001', type: 'labour', hours: 30, settled: true, closedAt: new Date('2026-01-02T00:00:00Z') },
        { no: 'DY-2026-000002', type: 'neighbour', hours: null, settled: false, closedAt: undefined },
      ],
      [
        { header: '案件编号', key: 'no' },
        { header: '纠纷类型', value: (r) => zh.disputeTypes[r.type as 'labour' | 'neighbour'] },
        { header: '用时（小时）', key: 'hours' },
        { header: '调解成功', key: 'settled' },
        { header: '结案时间', key: 'closedAt' },
      ],
    );
    assert.ok(csv.startsWith(BOM));
    assert.equal(BOM, '\uFEFF');
    assert.equal(
      csv,
      '\uFEFF案件编号,纠纷类型,用时（小时）,调解成功,结案时间\r\n' +
        'DY-2026-000001,劳动争议,30,true,2026-01-02T00:00:00.000Z\r\n' +
        'DY-2026-000002,邻里纠纷,,false,\r\n',
    );
    assert.equal(Buffer.from(csv, 'utf8').subarray(0, 3).toString('hex'), 'efbbbf');
  });

  it('quotes commas, quotes and line breaks', () => {
    assert.equal(csvCell('plain 文本'), 'plain 文本');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('他说"好"'), '"他说""好"""');
    assert.equal(csvCell('line1\nline2'), '"line1\nline2"');
    assert.equal(csvCell('line1\r\nline2'), '"line1\r\nline2"');
    assert.equal(csvCell('"'), '""""');
    assert.equal(csvCell(''), '');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(undefined), '');
  });

  it('guards against CSV injection', () => {
    assert.equal(csvCell('=SUM(A1:A9)'), "'=SUM(A1:A9)");
    assert.equal(csvCell('+8613800000000'), "'+8613800000000");
    assert.equal(csvCell('-1+1'), "'-1+1");
    assert.equal(csvCell('@cmd'), "'@cmd");
    assert.equal(csvCell('\t=1'), "'\t=1");
    assert.equal(csvCell('=HYPERLINK("http://x","点我")'), `"'=HYPERLINK(""http://x"",""点我"")"`);
    assert.equal(csvCell('=1,2'), `"'=1,2"`);
    assert.equal(csvCell('a=b'), 'a=b', 'only a leading character is dangerous');
    assert.equal(csvCell(-5), '-5', 'numbers stay numbers');
    assert.equal(csvCell(Number.NaN), '');
  });

  it('guards headers and whole rows too', () => {
    const csv = toCsv(
      [{ title: '=cmd|"/c calc"!A1', note: '正常' }],
      [
        { header: '=标题', key: 'title' },
        { header: '备注', key: 'note' },
      ],
    );
    assert.equal(csv, `\uFEFF'=标题,备注\r\n"'=cmd|""/c calc""!A1",正常\r\n`);
  });

  it('an empty list still has the header', () => {
    assert.equal(toCsv<{ a: string }>([], [{ header: 'A', key: 'a' }]), '\uFEFFA\r\n');
  });
});
