import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selectedPath } from '../../../client/src/services/selectedPath.ts';

/* The pre-join check's verdict from a transport's getStats(), as Chromium reports it. */

const remote = { id: 'R1', type: 'remote-candidate', candidateType: 'host', protocol: 'udp', address: '127.0.0.1' };
function report(local: Record<string, unknown>, pair: Record<string, unknown> = {}) {
  return [
    { id: 'T1', type: 'transport', selectedCandidatePairId: 'P1', dtlsState: 'connected' },
    { id: 'P0', type: 'candidate-pair', localCandidateId: 'L0', remoteCandidateId: 'R1', state: 'failed', nominated: false },
    { id: 'L0', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'udp' },
    { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', state: 'succeeded', nominated: true, ...pair },
    { id: 'L1', type: 'local-candidate', ...local },
    remote,
  ];
}

test('the selected pair decides: direct UDP (host, srflx, prflx alike), direct TCP, or the relay whatever its leg to TURN', () => {
  for (const candidateType of ['host', 'srflx', 'prflx']) assert.equal(selectedPath(report({ candidateType, protocol: 'udp' })), 'udp', candidateType);
  assert.equal(selectedPath(report({ candidateType: 'host', protocol: 'tcp', tcpType: 'active' })), 'tcp');
  for (const relayProtocol of ['udp', 'tcp', 'tls']) {
    assert.equal(selectedPath(report({ candidateType: 'relay', protocol: 'udp', relayProtocol })), 'relay', relayProtocol);
  }
});

test('no succeeded selected pair: not connected', () => {
  assert.equal(selectedPath(report({ candidateType: 'host', protocol: 'udp' }, { state: 'in-progress' })), null);
  assert.equal(selectedPath([{ id: 'T1', type: 'transport' }]), null);
  assert.equal(selectedPath([]), null);
});

test('without selectedCandidatePairId: the nominated, succeeded pair', () => {
  const stats = report({ candidateType: 'host', protocol: 'tcp' }).filter((s) => s.type !== 'transport');
  assert.equal(selectedPath(stats), 'tcp');
});
