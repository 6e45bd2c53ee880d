import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { permissionFor, routeKey, routePermissions } from '../../server/http/routePermissions.ts';
import { staffRoles } from '../../server/protocol/roles.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => t.close());

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every (method, path) registered on the express app, walking nested routers. */
function registeredRoutes(stack: Layer[]): string[] {
  const out: string[] = [];
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const p of paths) for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push(routeKey(m, p));
    } else if (layer.handle?.stack) {
      out.push(...registeredRoutes(layer.handle.stack));
    }
  }
  return out;
}

test('every registered express route has an entry in the permissions table, and vice versa', () => {
  const router = (t.app as unknown as { router: { stack: Layer[] } }).router;
  const registered = registeredRoutes(router.stack);
  assert.ok(registered.length >= 19, `found ${registered.length} routes`);
  for (const key of registered) assert.notEqual(permissionFor(key), undefined, `${key} is missing from routePermissions`);
  assert.deepEqual([...registered].sort(), Object.keys(routePermissions).sort(), 'no stale entries in the table');
});

test('the table only names real staff roles, never an empty list', () => {
  for (const [key, permission] of Object.entries(routePermissions)) {
    if (permission === 'public') continue;
    assert.ok(permission.length > 0, key);
    for (const role of permission) assert.ok((staffRoles as readonly string[]).includes(role), `${key}: ${role}`);
  }
  const publicRoutes = Object.entries(routePermissions)
    .filter(([, p]) => p === 'public')
    .map(([k]) => k)
    .sort();
  assert.deepEqual(publicRoutes, [
    'DELETE /api/connectivity/probe/:probeId',
    'GET /api/agreements/:agreementId/document',
    'GET /api/health',
    'GET /api/invitation',
    'GET /api/judicial/applications/:applicationId/ruling.pdf',
    'GET /api/judicial/apply',
    'GET /api/media/capabilities',
    'GET /api/public/cases/query',
    'GET /api/public/followup',
    'GET /api/records/:recordId/document',
    'GET /api/sessions/:sessionId/agreement',
    'GET /api/sessions/:sessionId/record',
    'GET /api/signing',
    'GET /metrics',
    'POST /api/agreements/:agreementId/comments',
    'POST /api/auth/login',
    'POST /api/connectivity/probe',
    'POST /api/connectivity/probe/:probeId/connect',
    'POST /api/connectivity/probe/:probeId/data-producer',
    'POST /api/judicial/apply/confirm',
    'POST /api/judicial/apply/otp',
    'POST /api/public/cases',
    'POST /api/public/cases/query',
    'POST /api/public/cases/sms',
    'POST /api/public/followup',
    'POST /api/records/:recordId/confirm',
    'POST /api/records/:recordId/object',
    'POST /api/records/:recordId/otp',
    'POST /api/signing/otp',
    'POST /api/signing/refuse',
    'POST /api/signing/sign',
    'POST /api/verify/code',
    'POST /api/verify/file',
  ]);
});

test('every non-public route refuses a request without a token', async () => {
  for (const [key, permission] of Object.entries(routePermissions)) {
    if (permission === 'public') continue;
    const [method, path] = key.split(' ') as [string, string];
    const res = await t.request(method, path.replace(/:(\w+)/g, 'x'), method === 'POST' ? { body: {} } : {});
    assert.equal(res.status, 401, key);
  }
});

test('each route refuses exactly the staff roles not in its entry', async () => {
  const tokens: Record<string, string> = {};
  for (const role of staffRoles) {
    await t.createUser(`perm-${role}`, role);
    tokens[role] = (await t.login(`perm-${role}`)).token;
  }
  for (const [key, permission] of Object.entries(routePermissions)) {
    if (permission === 'public') continue;
    const [method, path] = key.split(' ') as [string, string];
    for (const role of staffRoles) {
      // Logging out revokes the token, so that route gets a fresh one.
      const token = key === 'POST /api/auth/logout' ? (await t.login(`perm-${role}`)).token : tokens[role];
      const res = await t.request(method, path.replace(/:(\w+)/g, 'missing'), { token, ...(method === 'POST' ? { body: {} } : {}) });
      const allowed = (permission as readonly string[]).includes(role);
      if (allowed) assert.notEqual(res.status, 403, `${key} as ${role}`);
      else assert.equal(res.status, 403, `${key} as ${role}`);
    }
  }
});
