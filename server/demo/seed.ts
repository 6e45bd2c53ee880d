import { type Department, type Level, type UnitKind } from '../protocol/caseLoop.ts';
import { maxTimeLimitDays } from '../caseloop/rules.ts';
import { pathToFileURL } from 'node:url';
import { hashPassword } from '../auth/passwords.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { CaseService } from '../cases/CaseService.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { newId } from '../ids.ts';
import { transaction } from '../db/transactions.ts';
import { replaceGridSet } from '../grids/replaceGridSet.ts';
import { validateGridImport } from '../grids/validateImport.ts';
import { demoGridCodeAt, demoGridFile } from './demoGrids.ts';
import type { Logger } from '../logger.ts';
import type { StaffRole } from '../protocol/roles.ts';

export interface DemoUser {
  username: string;
  password: string;
  displayName: string;
  role: StaffRole;
  department: string | null;
  /** Name of the demo unit the user works for. */
  unit: string | null;
}

export interface DemoUnit {
  name: string;
  kind: UnitKind;
  level: Level;
  department?: Department;
}

/** A small city network: one unit per level, and the departments the default rules route to. */
export const demoUnits: readonly DemoUnit[] = [
  { name: '幸福社区人民调解委员会', kind: 'mediation_committee', level: 'community' },
  { name: '城关街道矛盾纠纷调处中心', kind: 'mediation_centre', level: 'town' },
  { name: '城关市场监管所', kind: 'department', level: 'town', department: 'market_regulation' },
  { name: '示范区矛盾纠纷多元化解调处中心', kind: 'mediation_centre', level: 'county' },
  { name: '区人社局', kind: 'department', level: 'county', department: 'human_resources' },
  { name: '区自然资源和规划局', kind: 'department', level: 'county', department: 'natural_resources' },
  { name: '区住建局', kind: 'department', level: 'county', department: 'housing' },
  { name: '区交警大队', kind: 'department', level: 'county', department: 'traffic_police' },
  { name: '区市场监管局', kind: 'department', level: 'county', department: 'market_regulation' },
  { name: '市矛盾纠纷调处中心', kind: 'mediation_centre', level: 'city' },
  { name: '示范区人民法院', kind: 'court', level: 'county' },
];

export const demoUsers: readonly DemoUser[] = [
  { username: 'admin', password: 'admin-demo-2026', displayName: '系统管理员', role: 'admin', department: null, unit: null },
  {
    username: 'mediator',
    password: 'mediator-demo-2026',
    displayName: '王调解员',
    role: 'mediator',
    department: '区人民调解中心',
    unit: '示范区矛盾纠纷多元化解调处中心',
  },
  {
    username: 'supervisor',
    password: 'supervisor-demo-2026',
    displayName: '李主任',
    role: 'supervisor',
    department: '区人民调解中心',
    unit: '示范区矛盾纠纷多元化解调处中心',
  },
  { username: 'official', password: 'official-demo-2026', displayName: '赵科长', role: 'official', department: '区人社局', unit: '区人社局' },
  {
    username: 'gridworker',
    password: 'gridworker-demo-2026',
    displayName: '孙网格员',
    role: 'gridworker',
    department: '幸福社区',
    unit: '幸福社区人民调解委员会',
  },
  { username: 'judge', password: 'judge-demo-2026', displayName: '陈法官', role: 'judge', department: '示范区人民法院', unit: '示范区人民法院' },
];

export const demoCase = {
  disputeType: 'labour' as const,
  title: '欠薪纠纷',
  description: '申请人称在某某建筑公司工地务工三个月，被拖欠工资共计人民币两万四千元，多次催讨未果，申请调解。',
  district: '示范区',
  town: '城关街道',
  community: '幸福社区',
  grid: demoGridCodeAt(3, 0),
  parties: [
    { side: 'applicant' as const, name: '张三', phone: '13812345678' },
    { side: 'respondent' as const, name: '某某建筑公司', phone: '13987654321' },
  ],
};

/** Disputes the demo grid worker reported from the grids, so the map has open cases to shade. */
export const demoGridCases = [
  { cell: [3, 0], disputeType: 'neighbour', title: '楼上漏水邻里纠纷', description: '楼上住户卫生间漏水，渗至楼下住户天花板，双方就维修费用协商未果。' },
  { cell: [3, 1], disputeType: 'property', title: '物业费纠纷', description: '业主以电梯长期故障为由拒交物业费，物业公司要求补缴。' },
  { cell: [2, 1], disputeType: 'neighbour', title: '噪声扰民纠纷', description: '底商餐馆夜间排风噪声扰民，周边住户多次投诉。' },
  { cell: [2, 2], disputeType: 'consumer', title: '预付卡退费纠纷', description: '健身房停业，会员要求退还预付卡余额。' },
  { cell: [2, 2], disputeType: 'labour', title: '保洁员工资纠纷', description: '小区保洁员称被拖欠两个月工资。' },
  { cell: [2, 2], disputeType: 'traffic', title: '小区停车剐蹭纠纷', description: '小区内倒车剐蹭他人车辆，双方就维修费用有争议。' },
  { cell: [1, 0], disputeType: 'land', title: '宅基地界址纠纷', description: '相邻两户就宅基地界址及围墙位置发生争议。' },
  { cell: [0, 3], disputeType: 'family', title: '赡养纠纷', description: '老人要求三名子女按月支付赡养费。' },
] as const;

/**
 * A window case the demo mediator registered and took on longer ago than any time limit (at most
 * maxTimeLimitDays), so its deadline has passed: the red-light layer of the map is not empty.
 */
export const demoOverdueCase = {
  cell: [0, 1],
  daysAgo: maxTimeLimitDays + 5,
  disputeType: 'neighbour',
  title: '相邻通行纠纷',
  description: '两户因院前通行道路被砌墙堵住发生争执，多次协商未果，申请调解。',
} as const;

/**
 * Idempotent: creates the demo units and the demo users that do not exist yet (existing ones are
 * left alone, passwords included), the demo city's grids when there are none, and the demo cases
 * (two registered at the window and taken on by the mediator, one of them long ago and now
 * overdue, demoOverdueCase; the others reported by the grid worker from their grids) when there
 * is no case at all. The routing rule set is written on first use (defaultRuleSet).
 */
export async function seedDemo(deps: { db: Db; clock?: Clock; log: Logger }): Promise<{ usersCreated: string[]; caseCreated: boolean; gridsCreated: number }> {
  const clock = deps.clock ?? systemClock;
  const unitIds = new Map<string, string>();
  for (const u of demoUnits) {
    const row = await deps.db.unit.upsert({
      where: { name: u.name },
      create: { id: newId(), name: u.name, kind: u.kind, level: u.level, department: u.department ?? null, createdAt: clock.now() },
      update: {},
      select: { id: true },
    });
    unitIds.set(u.name, row.id);
  }
  const usersCreated: string[] = [];
  for (const u of demoUsers) {
    const unitId = u.unit ? (unitIds.get(u.unit) ?? null) : null;
    const existing = await deps.db.user.findUnique({ where: { username: u.username }, select: { id: true, unitId: true } });
    if (existing) {
      // Existing accounts are left alone, except that a demo account without a unit gets its demo unit.
      if (existing.unitId === null && unitId !== null) await deps.db.user.update({ where: { id: existing.id }, data: { unitId } });
      continue;
    }
    const passwordHash = await hashPassword(u.password);
    // upsert guards against a concurrent seed between the check and the insert.
    await deps.db.user.upsert({
      where: { username: u.username },
      create: {
        id: newId(),
        username: u.username,
        displayName: u.displayName,
        role: u.role,
        department: u.department,
        unitId,
        passwordHash,
        createdAt: clock.now(),
      },
      update: {},
    });
    usersCreated.push(u.username);
  }

  // The demo city's grids, only while there are none (a real city's imported set is never replaced).
  const gridsCreated = (await deps.db.grid.count()) === 0 ? await seedDemoGrids(deps.db, clock) : 0;

  let caseCreated = false;
  if ((await deps.db.case.count()) === 0) {
    const mediator = await deps.db.user.findUniqueOrThrow({ where: { username: 'mediator' } });
    const principal: StaffPrincipal = {
      kind: 'staff',
      userId: mediator.id,
      username: mediator.username,
      displayName: mediator.displayName,
      role: 'mediator',
      department: mediator.department,
      staffSessionId: 'seed',
      expiresAt: clock.now(),
    };
    const cases = new CaseService({ db: deps.db, clock, log: deps.log });
    await cases.create(demoCase, principal);
    const worker = await deps.db.user.findUniqueOrThrow({ where: { username: 'gridworker' } });
    const reporter: StaffPrincipal = {
      ...principal,
      userId: worker.id,
      username: worker.username,
      displayName: worker.displayName,
      role: 'gridworker',
      department: worker.department,
    };
    for (const c of demoGridCases) {
      const grid = demoGridCodeAt(c.cell[0], c.cell[1]);
      const names = await gridNames(deps.db, grid);
      await cases.create(
        {
          disputeType: c.disputeType,
          title: c.title,
          description: c.description,
          grid,
          ...names,
          parties: [{ side: 'applicant', name: '王五', phone: '13700001111' }],
        },
        reporter,
      );
    }
    const { cell, daysAgo, ...overdue } = demoOverdueCase;
    const grid = demoGridCodeAt(cell[0], cell[1]);
    const then: Clock = { now: () => new Date(clock.now().getTime() - daysAgo * 24 * 3600_000) };
    await new CaseService({ db: deps.db, clock: then, log: deps.log }).create(
      { ...overdue, grid, ...(await gridNames(deps.db, grid)), parties: [{ side: 'applicant', name: '陈九', phone: '13600002222' }] },
      principal,
    );
    caseCreated = true;
  }
  if (usersCreated.length > 0 || caseCreated || gridsCreated > 0) deps.log.info('demo data seeded', { usersCreated, caseCreated, gridsCreated });
  return { usersCreated, caseCreated, gridsCreated };
}

/** Imports the generated demo grid set (server/demo/demoGrids.ts) through the same validation as a file. */
async function seedDemoGrids(db: Db, clock: Clock): Promise<number> {
  const [workers, units] = await Promise.all([
    db.user.findMany({ where: { role: 'gridworker', disabled: false }, select: { id: true, username: true } }),
    db.unit.findMany({ select: { id: true, name: true } }),
  ]);
  const checked = validateGridImport(demoGridFile(), {
    gridWorkers: new Map(workers.map((w) => [w.username, w.id])),
    units: new Map(units.map((u) => [u.name, u.id])),
  });
  if (!checked.ok) throw new Error(`the demo grid set is invalid: ${JSON.stringify(checked.issues[0])}`);
  await transaction(db, (tx) => replaceGridSet(tx, clock.now(), checked));
  return checked.areas.length;
}

/** The county, town and community names above a grid. */
async function gridNames(db: Db, code: string): Promise<{ district?: string; town?: string; community?: string }> {
  const names = await db.grid.findMany({
    where: { code: { in: [code.slice(0, 12), code.slice(0, 9), code.slice(0, 6)] } },
    select: { code: true, name: true },
  });
  const byLength = new Map(names.map((n) => [n.code.length, n.name]));
  return { community: byLength.get(12), town: byLength.get(9), district: byLength.get(6) };
}

// `node --import tsx server/demo/seed.ts` seeds the configured database.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { loadConfig } = await import('../config.ts');
  const { openDb } = await import('../db/client.ts');
  const { createLogger, setLogLevel } = await import('../logger.ts');
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const db = openDb(config.databaseUrl);
  try {
    const result = await seedDemo({ db, log: createLogger('seed') });
    console.log(JSON.stringify(result));
  } finally {
    await db.$disconnect();
  }
}
