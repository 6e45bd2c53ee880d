import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { recordRefusal } from '../../../server/audit/refusals.ts';
import { forbidden, notFound } from '../../../server/errors.ts';
import { errorHandler } from '../../../server/http/middleware.ts';
import { auditForbidden, inRequestContext, openRequestContext } from '../../../server/http/requestContext.ts';
import { createLogger, setLogLevel } from '../../../server/logger.ts';
import { identify, type AuditSink } from '../../../server/requestContext.ts';

/*
 * recordRefusal, the one function permission checks call: it takes who and where from the
 * request context, even deep in an async service call after the body was parsed; a check that
 * records its own refusal is not recorded a second time by the automatic 403 recording.
 */

type Recorded = Parameters<AuditSink['record']>[0];

async function serve(build: (app: express.Express) => void): Promise<{ url: string; events: Recorded[]; close(): Promise<void> }> {
  setLogLevel('silent');
  const events: Recorded[] = [];
  const sink: AuditSink = { record: async (e) => void events.push(e) };
  const app = express();
  app.use(openRequestContext({ audit: sink }));
  build(app);
  app.use(auditForbidden);
  app.use(errorHandler(createLogger('test')));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, events, close: () => new Promise((r) => server.close(() => r())) };
}

const staff = {
  kind: 'staff' as const,
  userId: 'u1',
  username: 'wang',
  displayName: '王',
  role: 'mediator' as const,
  department: null,
  staffSessionId: 's1',
  expiresAt: new Date(Date.now() + 3600_000),
};
const service = async (hide: boolean) => {
  await new Promise((r) => setTimeout(r, 5));
  if (hide) {
    await recordRefusal({ what: 'agreement.sign agreement:a1', reason: 'not this case’s mediator' });
    throw notFound('Agreement');
  }
  throw forbidden('Only the lead mediator');
};

test('a refusal recorded by the check itself (answered 404) carries who and where from the request context', async () => {
  const s = await serve((app) => {
    app.post(
      '/x',
      express.json(),
      inRequestContext(async (_req, res) => {
        identify(staff);
        await service(true);
        res.end();
      }),
    );
  });
  try {
    const res = await fetch(`${s.url}/x`, { method: 'POST', headers: { 'content-type': 'application/json', 'user-agent': 'ua/1' }, body: '{"a":1}' });
    assert.equal(res.status, 404);
    assert.equal(s.events.length, 1);
    const e = s.events[0]!;
    assert.equal(e.action, 'permission_refused');
    assert.equal(e.target, 'agreement.sign agreement:a1');
    assert.equal(e.detail, 'not this case’s mediator');
    assert.equal(e.actor?.actor, 'user:u1');
    assert.equal(e.actor?.name, 'wang');
    assert.ok(e.ip === '127.0.0.1' || e.ip === '::ffff:127.0.0.1', `ip ${e.ip}`);
    assert.equal(e.userAgent, 'ua/1');
  } finally {
    await s.close();
  }
});

test('a thrown forbidden is recorded automatically, once; an explicit record is not doubled', async () => {
  const s = await serve((app) => {
    app.post(
      '/auto',
      express.json(),
      inRequestContext(async () => {
        identify(staff);
        await service(false);
      }),
    );
    app.post(
      '/both',
      express.json(),
      inRequestContext(async () => {
        identify(staff);
        await recordRefusal({ what: 'case.reveal case:c1', reason: 'not the lead' });
        throw forbidden('Only the lead mediator');
      }),
    );
  });
  try {
    assert.equal((await fetch(`${s.url}/auto`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 403);
    assert.equal(s.events.length, 1);
    assert.equal(s.events[0]!.target, 'POST /auto');
    assert.equal(s.events[0]!.detail, 'Only the lead mediator');
    assert.equal(s.events[0]!.actor?.userId, 'u1');
    assert.equal((await fetch(`${s.url}/both`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 403);
    assert.equal(s.events.length, 2);
    assert.equal(s.events[1]!.target, 'case.reveal case:c1');
  } finally {
    await s.close();
  }
});

test('outside any request context recordRefusal neither throws nor records', async () => {
  setLogLevel('silent');
  await recordRefusal({ what: 'x', reason: 'y' });
});
