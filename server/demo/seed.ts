import { pathToFileURL } from 'node:url';
import { hashPassword } from '../auth/passwords.ts';
import type { StaffPrincipal } from '../auth/principals.ts';
import { CaseService } from '../cases/CaseService.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { StaffRole } from '../protocol/roles.ts';

export interface DemoUser {
  username: string;
  password: string;
  displayName: string;
  role: StaffRole;
  department: string | null;
}

export const demoUsers: readonly DemoUser[] = [
  { username: 'admin', password: 'admin-demo-2026', displayName: '系统管理员', role: 'admin', department: null },
  { username: 'mediator', password: 'mediator-demo-2026', displayName: '王调解员', role: 'mediator', department: '区人民调解中心' },
  { username: 'supervisor', password: 'supervisor-demo-2026', displayName: '李主任', role: 'supervisor', department: '区人民调解中心' },
  { username: 'official', password: 'official-demo-2026', displayName: '赵科长', role: 'official', department: '区人社局' },
];

export const demoCase = {
  disputeType: 'labour' as const,
  title: '欠薪纠纷',
  description: '申请人称在某某建筑公司工地务工三个月，被拖欠工资共计人民币两万四千元，多次催讨未果，申请调解。',
  district: '示范区',
  town: '城关街道',
  community: '幸福社区',
  parties: [
    { side: 'applicant' as const, name: '张三', phone: '13812345678' },
    { side: 'respondent' as const, name: '某某建筑公司', phone: '13987654321' },
  ],
};

/**
 * Idempotent: creates the demo users that do not exist yet (existing ones are left alone,
 * passwords included) and the demo case when there is no case at all.
 */
export async function seedDemo(deps: { db: Db; clock?: Clock; log: Logger }): Promise<{ usersCreated: string[]; caseCreated: boolean }> {
  const clock = deps.clock ?? systemClock;
  const usersCreated: string[] = [];
  for (const u of demoUsers) {
    const existing = await deps.db.user.findUnique({ where: { username: u.username }, select: { id: true } });
    if (existing) continue;
    const passwordHash = await hashPassword(u.password);
    // upsert guards against a concurrent seed between the check and the insert.
    await deps.db.user.upsert({
      where: { username: u.username },
      create: { id: newId(), username: u.username, displayName: u.displayName, role: u.role, department: u.department, passwordHash, createdAt: clock.now() },
      update: {},
    });
    usersCreated.push(u.username);
  }

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
    };
    await new CaseService({ db: deps.db, clock, log: deps.log }).create(demoCase, principal);
    caseCreated = true;
  }
  if (usersCreated.length > 0 || caseCreated) deps.log.info('demo data seeded', { usersCreated, caseCreated });
  return { usersCreated, caseCreated };
}

// `node --import tsx server/demo/seed.ts` seeds the configured database.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { loadConfig } = await import('../config.ts');
  const { openDb } = await import('../db/client.ts');
  const { createLogger } = await import('../logger.ts');
  const config = loadConfig();
  const db = openDb(config.databaseUrl);
  try {
    const result = await seedDemo({ db, log: createLogger('seed') });
    console.log(JSON.stringify(result));
  } finally {
    await db.$disconnect();
  }
}
