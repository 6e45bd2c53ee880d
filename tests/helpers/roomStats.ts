import type { Page } from 'playwright-core';
import { until } from './wait.ts';

export interface InboundSummary {
  videoFramesDecoded: number;
  audioPacketsReceived: number;
  videoBytesReceived: number;
}

/** Sums inbound-rtp stats from the page's RTCPeerConnections (exposed by the client as window.__cm.getStats). */
export async function inboundSummary(page: Page): Promise<InboundSummary> {
  return page.evaluate(async () => {
    const cm = (window as unknown as { __cm?: { getStats(): Promise<Array<Record<string, unknown>>> } }).__cm;
    const summary = { videoFramesDecoded: 0, audioPacketsReceived: 0, videoBytesReceived: 0 };
    if (!cm) return summary;
    for (const s of await cm.getStats()) {
      if (s.type !== 'inbound-rtp') continue;
      if (s.kind === 'video') {
        summary.videoFramesDecoded += Number(s.framesDecoded ?? 0);
        summary.videoBytesReceived += Number(s.bytesReceived ?? 0);
      }
      if (s.kind === 'audio') summary.audioPacketsReceived += Number(s.packetsReceived ?? 0);
    }
    return summary;
  });
}

/** Polls until the page decodes remote video and receives remote audio; returns the last reading. */
export async function waitForRemoteMedia(page: Page, timeoutMs = 30_000): Promise<InboundSummary> {
  const end = Date.now() + timeoutMs;
  let last = await inboundSummary(page);
  while (Date.now() < end) {
    if (last.videoFramesDecoded > 0 && last.audioPacketsReceived > 0) return last;
    await page.waitForTimeout(250);
    last = await inboundSummary(page);
  }
  return last;
}

/** The page decodes remote video and receives remote audio now: both counters go up between two readings. */
export async function mediaFlowing(page: Page, what: string, timeoutMs = 30_000): Promise<void> {
  let last: InboundSummary | undefined;
  await until(
    async () => {
      const now = await inboundSummary(page);
      const moving = last !== undefined && now.videoFramesDecoded > last.videoFramesDecoded && now.audioPacketsReceived > last.audioPacketsReceived;
      last = now;
      return moving;
    },
    () => `${what}: video frames decoded and audio packets received going up (last reading ${JSON.stringify(last)})`,
    timeoutMs,
    700,
  );
}

export type Stat = Record<string, unknown>;

/** Per transport direction: the selected candidate pair's local and remote candidates, from window.__cm.getStats(). */
export async function selectedPairs(page: Page): Promise<Array<{ direction: string; local: Stat; remote: Stat }>> {
  const stats = await page.evaluate(() => (window as unknown as { __cm: { getStats(): Promise<Stat[]> } }).__cm.getStats());
  const byId = (direction: unknown, id: unknown) => stats.find((s) => s['transportDirection'] === direction && s['id'] === id);
  const out: Array<{ direction: string; local: Stat; remote: Stat }> = [];
  for (const transport of stats.filter((s) => s['type'] === 'transport')) {
    const direction = transport['transportDirection'];
    const pair = byId(direction, transport['selectedCandidatePairId']);
    if (!pair || pair['state'] !== 'succeeded') continue;
    const local = byId(direction, pair['localCandidateId']);
    const remote = byId(direction, pair['remoteCandidateId']);
    if (local && remote) out.push({ direction: String(direction), local, remote });
  }
  return out;
}

/** RTP bytes the page has received and sent so far (every inbound and outbound stream). */
async function rtpBytes(page: Page): Promise<{ received: number; sent: number }> {
  const stats = await page.evaluate(() => (window as unknown as { __cm: { getStats(): Promise<Stat[]> } }).__cm.getStats());
  const sum = (type: string, field: string) => stats.filter((s) => s.type === type).reduce((n, s) => n + Number(s[field] ?? 0), 0);
  return { received: sum('inbound-rtp', 'bytesReceived'), sent: sum('outbound-rtp', 'bytesSent') };
}

/** Media both ways at this end: inbound and outbound RTP bytes both go up between two readings. */
export async function rtpBothWays(page: Page, what: string, timeoutMs = 30_000): Promise<void> {
  let last: { received: number; sent: number } | undefined;
  await until(
    async () => {
      const now = await rtpBytes(page);
      const moving = last !== undefined && now.received > last.received && now.sent > last.sent;
      last = now;
      return moving;
    },
    () => `${what}: inbound and outbound RTP bytes going up (last reading ${JSON.stringify(last)})`,
    timeoutMs,
    500,
  );
}
