import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IceCandidate, WebRtcTransport, Worker } from 'mediasoup/types';
import type { Config } from '../../../server/config.ts';
import { WorkerPool } from '../../../server/media/WorkerPool.ts';
import { Room } from '../../../server/media/Room.ts';
import { mediaCodecs, webRtcTransportOptions } from '../../../server/media/mediaCodecs.ts';
import { webRtcServerOf } from '../../../server/media/webRtcServer.ts';
import { freeRtcPorts } from '../../helpers/freePort.ts';
import { stunCheckTcp, stunCheckUdp } from '../../helpers/stun.ts';
import { log, makePeer, mediaConfig, nextEvent, until } from './helpers.ts';

const portsOf = (candidates: IceCandidate[], protocol: 'udp' | 'tcp') => candidates.filter((c) => c.protocol === protocol).map((c) => c.port);

async function transportOn(worker: Worker, config: Config['mediasoup']): Promise<WebRtcTransport> {
  const router = await worker.createRouter({ mediaCodecs });
  return router.createWebRtcTransport(webRtcTransportOptions(config, {}, webRtcServerOf(worker)));
}

test('server mode: worker i listens on RTC_PORT + i; all transports of a worker share its one UDP and one TCP port', async () => {
  const base = await freeRtcPorts(2);
  const config: Config['mediasoup'] = { ...mediaConfig(2), port: base };
  const pool = await WorkerPool.create(config, log);
  try {
    assert.deepEqual(pool.workers.map((w) => pool.portOf(w)).sort(), [base, base + 1]);
    for (const worker of pool.workers) {
      const port = pool.portOf(worker)!;
      const dump = await webRtcServerOf(worker)!.dump();
      assert.deepEqual(dump.udpSockets, [{ ip: '127.0.0.1', port }]);
      assert.deepEqual(dump.tcpServers, [{ ip: '127.0.0.1', port }]);
      // Through the Room, as the signalling creates them.
      const room = await Room.create({ sessionId: `ports-${port}`, worker, config, log });
      const peer = makePeer();
      room.addPeer(peer);
      const send = await room.createWebRtcTransport(peer.id, 'send');
      const recv = await room.createWebRtcTransport(peer.id, 'recv');
      for (const t of [send, recv]) {
        assert.deepEqual(portsOf(t.iceCandidates, 'udp'), [port]);
        assert.deepEqual(portsOf(t.iceCandidates, 'tcp'), [port]);
      }
      assert.equal((await webRtcServerOf(worker)!.dump()).webRtcTransportIds.length, 2);
      room.close('ended');
    }
  } finally {
    pool.close();
  }
});

test("server mode: a connectivity check over UDP and over TCP lands on the worker's port (the selected tuple's local port)", async () => {
  const port = await freeRtcPorts(1);
  const config: Config['mediasoup'] = { ...mediaConfig(1), port };
  const pool = await WorkerPool.create(config, log);
  try {
    const [worker] = pool.workers as [Worker];
    const overUdp = await transportOn(worker, config);
    const overTcp = await transportOn(worker, config);

    const udpClientPort = await stunCheckUdp('127.0.0.1', port, overUdp.iceParameters);
    await until(() => overUdp.iceSelectedTuple !== undefined, 'the UDP tuple to be selected');
    assert.equal(overUdp.iceState, 'completed');
    assert.deepEqual(
      { protocol: overUdp.iceSelectedTuple!.protocol, localPort: overUdp.iceSelectedTuple!.localPort, remotePort: overUdp.iceSelectedTuple!.remotePort },
      { protocol: 'udp', localPort: port, remotePort: udpClientPort },
    );

    const tcp = await stunCheckTcp('127.0.0.1', port, overTcp.iceParameters);
    try {
      await until(() => overTcp.iceSelectedTuple !== undefined, 'the TCP tuple to be selected');
      assert.deepEqual(
        { protocol: overTcp.iceSelectedTuple!.protocol, localPort: overTcp.iceSelectedTuple!.localPort, remotePort: overTcp.iceSelectedTuple!.remotePort },
        { protocol: 'tcp', localPort: port, remotePort: tcp.localPort },
      );
    } finally {
      tcp.close();
    }
  } finally {
    pool.close();
  }
});

test("server mode: a dead worker's replacement listens on the dead worker's port", async () => {
  const base = await freeRtcPorts(2);
  const pool = await WorkerPool.create({ ...mediaConfig(2), port: base }, log);
  try {
    const victim = pool.workers.find((w) => pool.portOf(w) === base + 1)!;
    const replaced = nextEvent(pool, 'workerReplaced', 10_000);
    process.kill(victim.pid, 'SIGKILL');
    const [, replacement] = await replaced;
    assert.equal(pool.portOf(victim), undefined);
    assert.equal(pool.portOf(replacement), base + 1);
    const transport = await transportOn(replacement, mediaConfig());
    assert.deepEqual(portsOf(transport.iceCandidates, 'udp'), [base + 1]);
    assert.deepEqual(portsOf(transport.iceCandidates, 'tcp'), [base + 1]);
  } finally {
    pool.close();
  }
});

test('server mode, RTC_PORT=0: each worker takes a free port from the range, the same for UDP and TCP, and keeps it when replaced', async () => {
  const config = mediaConfig(2);
  const pool = await WorkerPool.create(config, log);
  try {
    const ports = pool.workers.map((w) => pool.portOf(w)!);
    assert.equal(new Set(ports).size, 2);
    for (const worker of pool.workers) {
      const port = pool.portOf(worker)!;
      assert.ok(port >= config.minPort && port <= config.maxPort, `${port} in ${config.minPort}-${config.maxPort}`);
      const transport = await transportOn(worker, config);
      assert.deepEqual(portsOf(transport.iceCandidates, 'udp'), [port]);
      assert.deepEqual(portsOf(transport.iceCandidates, 'tcp'), [port]);
    }
    const [victim] = pool.workers as [Worker];
    const replaced = nextEvent(pool, 'workerReplaced', 10_000);
    process.kill(victim.pid, 'SIGKILL');
    const [, replacement] = await replaced;
    assert.equal(pool.portOf(replacement), ports[0]);
  } finally {
    pool.close();
  }
});

test('range mode: no WebRtcServer; each transport its own ports from RTC_MIN_PORT…RTC_MAX_PORT', async () => {
  const config: Config['mediasoup'] = { ...mediaConfig(1), portMode: 'range' };
  const pool = await WorkerPool.create(config, log);
  try {
    const [worker] = pool.workers as [Worker];
    assert.equal(webRtcServerOf(worker), undefined);
    assert.equal(pool.portOf(worker), undefined);
    const room = await Room.create({ sessionId: 'range', worker, config, log });
    const peer = makePeer();
    room.addPeer(peer);
    const a = await room.createWebRtcTransport(peer.id, 'send');
    const b = await room.createWebRtcTransport(peer.id, 'recv');
    const udp = [...portsOf(a.iceCandidates, 'udp'), ...portsOf(b.iceCandidates, 'udp')];
    assert.equal(udp.length, 2);
    assert.notEqual(udp[0], udp[1], 'a port per transport');
    for (const port of [...udp, ...portsOf(a.iceCandidates, 'tcp'), ...portsOf(b.iceCandidates, 'tcp')]) {
      assert.ok(port >= config.minPort && port <= config.maxPort, `${port} in range`);
    }
    room.close('ended');
  } finally {
    pool.close();
  }
});
