import type { TurnConfig } from '../config.ts';
import type { PortRule } from '../protocol/connectivity.ts';

/** The media ports in use: one per worker (RTC_PORT_MODE=server), or the whole range. */
export interface MediaPorts {
  min: number;
  max: number;
}

/**
 * What a firewall must let out for a browser to reach this service's media: the media ports
 * (UDP, and TCP as the fallback) and each TURN URL's port. Told to the person whose check failed,
 * for their network administrator. RFC 7065 defaults: turn: 3478 over UDP, turns: 5349 over TCP.
 */
export function firewallPorts(media: MediaPorts, turn: TurnConfig | null): PortRule[] {
  const rules: PortRule[] = [
    { protocol: 'udp', min: media.min, max: media.max },
    { protocol: 'tcp', min: media.min, max: media.max },
  ];
  for (const url of turn?.urls ?? []) {
    const m = /^(turns?):(?:\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/.exec(url);
    if (!m) continue;
    const secure = m[1] === 'turns';
    const port = Number(m[2] ?? (secure ? 5349 : 3478));
    const protocol = secure ? 'tcp' : ((m[3] as 'udp' | 'tcp' | undefined) ?? 'udp');
    if (!rules.some((r) => r.protocol === protocol && r.min <= port && port <= r.max)) rules.push({ protocol, min: port, max: port });
  }
  return rules;
}
