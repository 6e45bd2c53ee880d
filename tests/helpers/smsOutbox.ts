import type { TestDb } from './testDb.ts';

/** The newest message to a phone in the development SMS outbox (stored, not sent), on either engine. */
export async function lastSms(testDb: TestDb, phone: string): Promise<string> {
  const { sql } = testDb;
  const row = await sql.get<{ text: string }>(`SELECT "text" FROM "SmsOutbox" WHERE "phone" = ? ORDER BY ${sql.insertionOrder} DESC LIMIT 1`, phone);
  if (!row) throw new Error(`no SMS to ${phone}`);
  return row.text;
}
