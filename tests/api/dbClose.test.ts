import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openDb } from '../../server/db/client.ts';
import { newId } from '../../server/ids.ts';
import { createTestDb, type TestDb } from '../helpers/testDb.ts';

/*
 * Closing the database while a transaction is starting (a socket's leave record as SIGTERM
 * arrives): the transaction commits, the close returns, later transactions are refused. On
 * PostgreSQL, Prisma abandoned such a transaction without a ROLLBACK and the close (the pool's end)
 * waited for its connection forever, so the server never exited.
 */

let testDb: TestDb;
before(async () => {
  testDb = await createTestDb();
});
after(() => testDb.cleanup());

test('$disconnect() while a transaction is starting: it commits, the close returns, later transactions are refused', { timeout: 30_000 }, async () => {
  const db = openDb(testDb.databaseUrl);
  await db.user.count();
  const id = newId();
  const tx = db.$transaction(async (t) => {
    await t.smsOutbox.create({ data: { id, phone: '13800000000', text: 'x', purpose: 'test', createdAt: new Date() } });
    return 'committed';
  });
  await new Promise((resolve) => setImmediate(resolve));
  await db.$disconnect();
  assert.equal(await tx, 'committed');
  assert.equal((await testDb.db.smsOutbox.findUnique({ where: { id } }))?.id, id);
  await assert.rejects(
    db.$transaction(async (t) => t.user.count()),
    /the database is closing/,
  );
});
