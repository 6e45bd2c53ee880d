import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHROMIUM_PATH } from './browser.ts';

/*
 * A browser behind a firewall, for real: a Linux network namespace joined to this host by a veth
 * pair on a private /30, with an nftables ruleset inside it that drops every UDP packet in and out
 * (and, with `tcpOnlyTo`, every TCP connection but to the given ports: an office that lets only
 * 443 out). Chromium runs inside it through a wrapper (`ip netns exec`), so its WebRTC sees what a
 * browser behind that firewall sees. Needs root (CI and the test machine run as root), iproute2
 * and nftables. Each namespace has a random name and subnet, so parallel runs do not collide.
 */
export interface FirewalledNetwork {
  /** The namespace's name (`ip netns exec <name> …`). */
  name: string;
  /** This host's end of the veth pair: bind servers here so that the namespace can reach them. */
  hostIp: string;
  /** The namespace's end. */
  namespaceIp: string;
  /** An executable that runs Chromium inside the namespace (Playwright's `executablePath`). */
  chromium: string;
  /** Packets the firewall dropped so far: UDP (either way) and, with `tcpOnlyTo`, TCP to other ports. */
  dropped(): { udp: number; tcp: number };
  /** Whether a TCP connection from inside the namespace to host:port opens within `seconds`. */
  connectsTcp(host: string, port: number, seconds?: number): boolean;
  /** From now on lets TCP out only to these ports (as `tcpOnlyTo`, for ports known only once servers listen). */
  allowTcpOnlyTo(ports: number[]): void;
  /** Removes the namespace (and with it the veth pair) and the wrapper. Idempotent. */
  close(): void;
}

const IP = process.env.IP_BIN ?? 'ip';
const NFT = process.env.NFT_BIN ?? 'nft';

const run = (file: string, args: string[], input?: string): string =>
  execFileSync(file, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...(input === undefined ? {} : { input }) });

/** Why a firewalled namespace cannot be built here, or null when it can (root, ip and nft present). */
export function firewallUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, nftables)';
  for (const [tool, args] of [
    [IP, ['-V']],
    [NFT, ['-v']],
  ] as const) {
    try {
      run(tool, [...args]);
    } catch {
      return `needs ${tool} (apt-get install iproute2 nftables)`;
    }
  }
  return null;
}

const tcpRule = (device: string, ports: number[]) => `oifname "${device}" tcp dport != { ${ports.join(', ')} } counter name tcp_dropped drop`;

function ruleset(device: string, tcpOnlyTo: number[] | undefined): string {
  const tcp = tcpOnlyTo ? `    ${tcpRule(device, tcpOnlyTo)}\n` : '';
  return `table inet firewall {
  counter udp_dropped {}
  counter tcp_dropped {}
  chain output {
    type filter hook output priority 0; policy accept;
    oifname "${device}" meta l4proto udp counter name udp_dropped drop
${tcp}  }
  chain input {
    type filter hook input priority 0; policy accept;
    iifname "${device}" meta l4proto udp counter name udp_dropped drop
  }
}
`;
}

export function startFirewalledNetwork(options: { tcpOnlyTo?: number[] } = {}): FirewalledNetwork {
  const id = randomBytes(3).toString('hex');
  const name = `cm-fw-${id}`;
  const hostDevice = `cmfw${id}h`;
  const nsDevice = `cmfw${id}n`;
  // A random /30 in 10.200.0.0–10.249.255.255 (private, unlikely to be this host's own network).
  const base = `10.${randomInt(200, 250)}.${randomInt(0, 256)}.${randomInt(0, 64) * 4}`;
  const [a, b, c, d] = base.split('.').map(Number) as [number, number, number, number];
  const hostIp = `${a}.${b}.${c}.${d + 1}`;
  const namespaceIp = `${a}.${b}.${c}.${d + 2}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-netns-'));
  const chromium = path.join(dir, 'chromium');
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    // Deleting the namespace deletes its end of the veth pair, and so the pair.
    try {
      run(IP, ['netns', 'del', name]);
    } catch {
      /* never created */
    }
    try {
      run(IP, ['link', 'del', hostDevice]);
    } catch {
      /* gone with the namespace */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const inside = (...args: string[]) => run(IP, ['netns', 'exec', name, ...args]);
    run(IP, ['netns', 'add', name]);
    run(IP, ['link', 'add', hostDevice, 'type', 'veth', 'peer', 'name', nsDevice]);
    run(IP, ['link', 'set', nsDevice, 'netns', name]);
    run(IP, ['addr', 'add', `${hostIp}/30`, 'dev', hostDevice]);
    run(IP, ['link', 'set', hostDevice, 'up']);
    inside(IP, 'addr', 'add', `${namespaceIp}/30`, 'dev', nsDevice);
    inside(IP, 'link', 'set', nsDevice, 'up');
    inside(IP, 'link', 'set', 'lo', 'up');
    run(IP, ['netns', 'exec', name, NFT, '-f', '-'], ruleset(nsDevice, options.tcpOnlyTo));
    writeFileSync(chromium, `#!/bin/sh\nexec ${IP} netns exec ${name} ${CHROMIUM_PATH} "$@"\n`);
    chmodSync(chromium, 0o755);
  } catch (error) {
    close();
    throw error;
  }
  const dropped = () => {
    const listed = JSON.parse(run(IP, ['netns', 'exec', name, NFT, '-j', 'list', 'counters'])) as {
      nftables: Array<{ counter?: { name: string; packets: number } }>;
    };
    const packets = (counter: string) => listed.nftables.find((e) => e.counter?.name === counter)?.counter?.packets ?? 0;
    return { udp: packets('udp_dropped'), tcp: packets('tcp_dropped') };
  };
  const allowTcpOnlyTo = (ports: number[]) => {
    run(IP, ['netns', 'exec', name, NFT, '-f', '-'], `add rule inet firewall output ${tcpRule(nsDevice, ports)}\n`);
  };
  const connectsTcp = (host: string, port: number, seconds = 2) =>
    spawnSync(IP, ['netns', 'exec', name, 'timeout', String(seconds), 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`], { stdio: 'ignore' }).status === 0;
  return { name, hostIp, namespaceIp, chromium, dropped, connectsTcp, allowTcpOnlyTo, close };
}
