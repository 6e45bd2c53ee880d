import type { TestDb } from './testDb.ts';

/**
 * The newest message to a phone in the development SMS outbox (stored, not sent), on either engine:
 * by its time, then by insertion order (on PostgreSQL rows inserted by different pooled connections
 * need not have increasing ctids, so the time comes first).
 */
export async function lastSms(testDb: TestDb, phone: string, purpose?: string): Promise<string> {
  const { sql } = testDb;
  // With a fixed clock several messages share a time; `purpose` picks the kind of message wanted.
  const row = purpose
    ? await sql.get<{ text: string }>(
        `SELECT "text" FROM "SmsOutbox" WHERE "phone" = ? AND "purpose" = ? ORDER BY "createdAt" DESC, ${sql.insertionOrder} DESC LIMIT 1`,
        phone,
        purpose,
      )
    : await sql.get<{ text: string }>(`SELECT "text" FROM "SmsOutbox" WHERE "phone" = ? ORDER BY "createdAt" DESC, ${sql.insertionOrder} DESC LIMIT 1`, phone);
  if (!row) throw new Error(`no SMS to ${phone}`);
  return row.text;
}
