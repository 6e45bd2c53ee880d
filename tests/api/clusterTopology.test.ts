import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { startClusterTopology, type ClusterTopology } from '../helpers/clusterTopology.ts';
import { connectSocket, handshakeRefusal } from '../helpers/socketClient.ts';
import { until } from '../helpers/wait.ts';
import { alive } from '../helpers/processes.ts';

/*
 * Two nodes behind nginx (ops/nginx/cluster.conf.template), sharing PostgreSQL and Redis: the
 * proxy reaches both, routes socket.io by ?node= and by the cm_node cookie, and passes a dead
 * node's requests to a live one. Which node answered: nginx's X-Upstream-Addr (the test
 * configuration adds it), the last address when nginx tried more than one.
 */

let topo: ClusterTopology;

before(async () => {
  topo = await startClusterTopology();
});

after(async () => {
  await topo?.stop();
});

interface Health {
  status: string;
  nodeId: string | null;
  database: boolean;
  redis: boolean | null;
}

/** The node (id) whose port nginx's X-Upstream-Addr names last. */
function answeredBy(res: Response): string | undefined {
  const last = res.headers
    .get('x-upstream-addr')
    ?.split(/[,:] ?/)
    .at(-1);
  return topo.nodeIds.find((id) => String(topo.node(id).port) === last);
}

async function socketIoOpen(query: string, headers: Record<string, string> = {}): Promise<{ res: Response; body: string; node: string | undefined }> {
  const res = await fetch(`${topo.proxyUrl}/socket.io/?EIO=4&transport=polling${query}`, { headers });
  return { res, body: await res.text(), node: answeredBy(res) };
}

test('through the proxy, /api/health reaches every node in turn, each with its id, the database and Redis', async () => {
  const seen = new Map<string, Health>();
  for (let i = 0; i < 6; i++) {
    const res = await fetch(`${topo.proxyUrl}/api/health`);
    assert.equal(res.status, 200, topo.describe());
    const health = (await res.json()) as Health;
    assert.equal(answeredBy(res), health.nodeId, 'X-Upstream-Addr names the node that answered');
    seen.set(health.nodeId!, health);
  }
  assert.deepEqual([...seen.keys()].sort(), ['a', 'b'], topo.describe());
  for (const [id, health] of seen) {
    assert.equal(health.database, true, `node ${id}: database`);
    assert.equal(health.redis, true, `node ${id}: redis`);
    assert.equal(health.status, 'ok', `node ${id}: status`);
  }
});

test('socket.io requests go to the node that ?node= names, else to the cm_node cookie’s', async () => {
  for (const id of ['a', 'b', 'a', 'b']) {
    const open = await socketIoOpen(`&node=${id}`);
    assert.equal(open.res.status, 200, `${open.body}\n${topo.describe()}`);
    assert.match(open.body, /^0\{"sid":/, 'an engine.io open packet');
    assert.equal(open.node, id);
  }
  for (const id of ['b', 'a']) {
    const open = await socketIoOpen('', { cookie: `cm_node=${id}` });
    assert.equal(open.res.status, 200, open.body);
    assert.equal(open.node, id, `cookie cm_node=${id}`);
  }
  // ?node= outranks the cookie.
  assert.equal((await socketIoOpen('&node=a', { cookie: 'cm_node=b' })).node, 'a');
  // Neither: one node for one client address, every time.
  const sticky = new Set<string | undefined>();
  for (let i = 0; i < 4; i++) sticky.add((await socketIoOpen('')).node);
  assert.equal(sticky.size, 1, `sticky by client address, got ${[...sticky].join(', ')}`);
  assert.ok(topo.nodeIds.includes([...sticky][0]!));
});

test('a WebSocket passes through the proxy: the node itself refuses a handshake without a token', async () => {
  const refusal = await handshakeRefusal(connectSocket(topo.proxyUrl, {}));
  assert.ok(refusal.code, `a WireError from the server: ${JSON.stringify(refusal)}`);
});

test('a killed node’s requests go to a live one; started again, it gets its own back', async () => {
  await topo.kill('a');
  assert.equal(topo.node('a').running, false);
  for (let i = 0; i < 3; i++) {
    const open = await socketIoOpen('&node=a');
    // Node b answers: it accepts, or (once rooms have owners) refuses with `wrong_node`; never the proxy's 502.
    assert.equal(open.node, 'b', `?node=a with a down: ${open.res.status} ${open.body}\n${topo.describe()}`);
    assert.ok(open.res.status < 500, `${open.res.status} ${open.body}`);
  }
  assert.equal((await socketIoOpen('', { cookie: 'cm_node=a' })).node, 'b');
  assert.equal((await socketIoOpen('')).node, 'b', 'sticky falls over too');
  for (let i = 0; i < 4; i++) {
    const res = await fetch(`${topo.proxyUrl}/api/health`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as Health).nodeId, 'b');
  }

  await topo.start('a');
  // nginx tries a failed node again after fail_timeout (5 s).
  await until(
    async () => (await socketIoOpen('&node=a')).node === 'a',
    () => `?node=a to reach node a again\n${topo.describe()}`,
    15_000,
    250,
  );
});

test('stop() leaves no process behind', async () => {
  const before = topo.pids();
  assert.ok(before.length >= 2 + 2 + 1, `nodes, their mediasoup workers, nginx, Redis, PostgreSQL: ${before.join(' ')}`);
  await topo.stop();
  const left = before.filter(alive);
  assert.deepEqual(left, [], `still running: ${left.map((pid) => `${pid} ${safeCmdline(pid)}`).join('; ')}`);
});

function safeCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '?';
  }
}
