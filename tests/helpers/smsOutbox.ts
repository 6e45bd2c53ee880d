import type { TestDb } from './testDb.ts';

/**
 * The newest message to a phone in the development SMS outbox (stored, not sent), on either engine:
 * by its time, then by insertion order (on PostgreSQL rows inserted by different pooled connections
 * need not have increasing ctids, so the time comes first).
 */
export async function lastSms(testDb: TestDb, phone: string): Promise<string> {
  const { sql } = testDb;
  const row = await sql.get<{ text: string }>(
    `SELECT "text" FROM "SmsOutbox" WHERE "phone" = ? ORDER BY "createdAt" DESC, ${sql.insertionOrder} DESC LIMIT 1`,
    phone,
  );
  if (!row) throw new Error(`no SMS to ${phone}`);
  return row.text;
}
