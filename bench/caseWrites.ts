/**
 * case_writes: how many case registrations and timeline appends per second the service writes,
 * with 1 and with 20 clients at once, on each database the test helper can give (SQLite always,
 * PostgreSQL when it can start one). Through the real services and the real locking: a
 * registration is CaseService.create by a mediator (case number, parties, take_on, two timeline
 * entries, one transaction); an append is one transaction with one timeline entry, either all
 * clients on one case (they queue on its lock) or each client on its own case. Every chain is
 * verified afterwards and the case numbers must be distinct, so a fast wrong answer cannot pass.
 */
import { performance } from 'node:perf_hooks';
import type { StaffPrincipal } from '../server/auth/principals.ts';
import { CaseService } from '../server/cases/CaseService.ts';
import { appendTimeline, verifyChain } from '../server/cases/timeline.ts';
import { systemClock } from '../server/clock.ts';
import type { Db } from '../server/db/client.ts';
import { transaction } from '../server/db/transactions.ts';
import { newId } from '../server/ids.ts';
import { createLogger, setLogLevel } from '../server/logger.ts';
import { sampleCase } from '../tests/helpers/fullServer.ts';
import { benchDatabases } from './benchDatabases.ts';
import { percentile, round } from './stats.ts';

const CLIENTS = [1, 20] as const;
/** Operations per client: enough for a steady rate, few enough for a couple of minutes in all. */
const OPS_TOTAL = 200;

export interface CaseWritesRow {
  database: string;
  operation: 'register_case' | 'append_one_case' | 'append_own_case';
  clients: number;
  ops: number;
  seconds: number;
  ops_per_s: number;
  p50_ms: number;
  p95_ms: number;
}

/** `clients` loops at once, OPS_TOTAL operations in all; op(client, i) is one operation. */
async function measure(
  database: string,
  operation: CaseWritesRow['operation'],
  clients: number,
  op: (client: number) => Promise<unknown>,
): Promise<CaseWritesRow> {
  const perClient = Math.ceil(OPS_TOTAL / clients);
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let i = 0; i < perClient; i++) {
        const t = performance.now();
        await op(client);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const row = {
    database,
    operation,
    clients,
    ops: latencies.length,
    seconds: round(seconds, 2),
    ops_per_s: round(latencies.length / seconds),
    p50_ms: round(percentile(latencies, 50)),
    p95_ms: round(percentile(latencies, 95)),
  };
  process.stderr.write(`  ${database} ${operation} x${clients}: ${row.ops_per_s} ops/s\n`);
  return row;
}

async function mediator(db: Db): Promise<StaffPrincipal> {
  const id = newId();
  await db.user.create({ data: { id, username: `bench-${id}`, role: 'mediator', displayName: '压测调解员', passwordHash: 'x' } });
  return {
    kind: 'staff',
    userId: id,
    username: `bench-${id}`,
    displayName: '压测调解员',
    role: 'mediator',
    department: null,
    staffSessionId: newId(),
    expiresAt: new Date(Date.now() + 3600_000),
  };
}

async function runOn(database: string, db: Db): Promise<CaseWritesRow[]> {
  const cases = new CaseService({ db, clock: systemClock, log: createLogger('bench') });
  const me = await mediator(db);
  const register = async () => void (await cases.create(sampleCase, me));
  const append = (caseId: string) =>
    transaction(db, (tx) =>
      appendTimeline(tx, { caseId, type: 'party.contact_revealed', actor: `user:${me.userId}`, at: new Date(), data: { field: 'phone', by: me.displayName } }),
    );
  const rows: CaseWritesRow[] = [];
  await register(); // warm-up: rule set seeded, statements prepared
  for (const clients of CLIENTS) rows.push(await measure(database, 'register_case', clients, register));
  for (const clients of CLIENTS) {
    const shared = (await cases.create(sampleCase, me)).id;
    rows.push(await measure(database, 'append_one_case', clients, () => append(shared)));
  }
  const own = await Promise.all(Array.from({ length: Math.max(...CLIENTS) }, async () => (await cases.create(sampleCase, me)).id));
  rows.push(await measure(database, 'append_own_case', Math.max(...CLIENTS), (client) => append(own[client]!)));

  // The figures count only if what was written is right.
  const all = await db.case.findMany({ select: { id: true, caseNumber: true } });
  if (new Set(all.map((c) => c.caseNumber)).size !== all.length) throw new Error(`${database}: duplicate case numbers`);
  for (const c of all) {
    const v = await verifyChain(db, c.id);
    if (!v.ok) throw new Error(`${database}: the timeline of ${c.caseNumber} does not verify: ${v.reason}`);
  }
  return rows;
}

export async function benchCaseWrites(): Promise<Record<string, unknown>> {
  setLogLevel('silent');
  const rows: CaseWritesRow[] = [];
  const databases: Record<string, unknown> = {};
  for (const target of benchDatabases()) {
    process.stderr.write(`case_writes on ${target.name}...\n`);
    let opened: Awaited<ReturnType<typeof target.open>> | undefined;
    try {
      opened = await target.open();
      const own = await runOn(target.name, opened.db);
      rows.push(...own);
      databases[target.name] = Object.fromEntries(own.map((r) => [`${r.operation}_x${r.clients}_per_s`, r.ops_per_s]));
    } catch (err) {
      databases[target.name] = { error: err instanceof Error ? err.message : String(err) };
    } finally {
      await opened?.close();
    }
  }
  if (rows.length === 0) throw new Error(`no database could be measured: ${JSON.stringify(databases)}`);
  return { ops_per_run: OPS_TOTAL, ...databases, runs: rows };
}
