import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ConnectivityProbe } from '../../server/protocol/connectivity.ts';
import { startClusterTopology, type ClusterTopology } from '../helpers/clusterTopology.ts';
import { serverHelpers } from '../helpers/fullServer.ts';
import { openTestDb, type TestDb } from '../helpers/testDb.ts';

/*
 * Two nodes behind nginx (ops/nginx/cluster.conf.template): a connectivity probe lives on the node
 * that opened it; its answer names that node, and follow-ups with `?node=` reach it through the
 * proxy whichever node the caller's first contact was.
 */

let topo: ClusterTopology;
let testDb: TestDb;

before(async () => {
  topo = await startClusterTopology();
  testDb = openTestDb(topo.dataDir, topo.databaseUrl);
});
after(async () => {
  await testDb?.db.$disconnect();
  await topo?.stop();
});

test('the probe names its node; follow-ups with ?node= reach it through the proxy, from either first contact', async () => {
  const s = serverHelpers(topo.proxyUrl, testDb);
  const { token, session } = await s.mediatorWithSession();
  const party = (await s.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' })).token;
  const seen = new Set<string>();
  for (const first of ['a', 'b', 'a', 'b']) {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${topo.proxyUrl}/api/connectivity/probe${path}`, {
        method,
        headers: { authorization: `Bearer ${party}`, cookie: `cm_node=${first}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const opened = await call('POST', '', {});
    const text = await opened.text();
    assert.equal(opened.status, 201, `${text}\n${topo.describe()}`);
    const probe = JSON.parse(text) as ConnectivityProbe;
    assert.equal(probe.node, first, 'the node that opened it (first contact by the cm_node cookie)');
    seen.add(probe.node!);
    // The follow-up names the node; the cookie (a stale first contact) does not decide.
    const other = first === 'a' ? 'b' : 'a';
    const closed = await fetch(`${topo.proxyUrl}/api/connectivity/probe/${probe.probeId}?node=${probe.node}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${party}`, cookie: `cm_node=${other}` },
    });
    assert.equal(closed.status, 204, `DELETE through the proxy reached node ${probe.node}`);
  }
  assert.deepEqual([...seen].sort(), ['a', 'b']);
});
