import type { ConnectivityResult } from '@protocol/connectivity.ts';

type Stat = { readonly [key: string]: unknown };

/**
 * Which way a connected transport reaches the media server, from its RTCStatsReport: the
 * selected candidate pair's local candidate. Through the TURN relay (`relay`, whatever the
 * browser's leg to coturn: UDP, TCP or TLS), else directly over its protocol (host, srflx and
 * prflx alike: mediasoup is ICE-lite, so the other end is always its own host candidate).
 * `null`: no selected, succeeded pair (not connected).
 */
export function selectedPath(report: Iterable<Stat>): Exclude<ConnectivityResult, 'failed' | 'unchecked'> | null {
  const stats = [...report];
  const byId = new Map(stats.map((s) => [String(s['id']), s]));
  const fromTransport = stats
    .filter((s) => s['type'] === 'transport' && typeof s['selectedCandidatePairId'] === 'string')
    .map((s) => byId.get(String(s['selectedCandidatePairId'])));
  // Browsers without `selectedCandidatePairId` (older Firefox): the nominated, succeeded pair.
  const nominated = stats.filter((s) => s['type'] === 'candidate-pair' && s['nominated'] === true);
  const pair = [...fromTransport, ...nominated].find((p) => p !== undefined && p['state'] === 'succeeded');
  if (!pair) return null;
  const local = byId.get(String(pair['localCandidateId']));
  if (!local) return null;
  if (local['candidateType'] === 'relay') return 'relay';
  return local['protocol'] === 'tcp' ? 'tcp' : 'udp';
}

/** RTCStatsReport is a maplike of stats objects; its values are what `selectedPath` reads. */
export function statsOf(report: RTCStatsReport): Stat[] {
  const out: Stat[] = [];
  report.forEach((s: Stat) => out.push(s));
  return out;
}
