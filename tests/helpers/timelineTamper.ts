import type { TestDb } from './testDb.ts';

/**
 * Rewrites fields in the JSON `data` of a case's timeline entries behind the server's back (as an
 * attacker with database access would); resolves to the number of entries changed.
 */
export async function editTimelineData(
  testDb: TestDb,
  caseId: string,
  which: { seq: number } | { type: string },
  fields: Record<string, unknown>,
): Promise<number> {
  const [column, value] = 'seq' in which ? ['seq', which.seq] : ['type', which.type];
  const rows = await testDb.sql.all<{ id: string; data: string }>(
    `SELECT "id", "data" FROM "TimelineEntry" WHERE "caseId" = ? AND "${column}" = ?`,
    caseId,
    value,
  );
  for (const row of rows)
    await testDb.sql.run('UPDATE "TimelineEntry" SET "data" = ? WHERE "id" = ?', JSON.stringify({ ...JSON.parse(row.data), ...fields }), row.id);
  return rows.length;
}
