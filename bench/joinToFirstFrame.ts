/**
 * join_to_first_frame_ms: from the party pressing "加入调解" to the first decoded frame of the
 * mediator's video on the party's page, in headless Chromium with a fake camera, through the real
 * server (signalling round trips, transport set-up, DTLS, consumer resume and key frame included).
 * Parties arrive in the waiting room; the mediator's page admits each one as soon as they appear
 * (a scripted click), so the figure includes one admission round trip and no human delay.
 * admit_to_first_frame_ms starts at that click instead. Times are Date.now() in both pages (same machine).
 *
 * Measured twice in one run with the same code (measureJoins):
 * - direct: one server in this process (SQLite), no proxy — the top-level figures;
 * - via_proxy: two nodes in cluster mode behind nginx (PostgreSQL, Redis); each party's first
 *   socket.io contact is forced (cm_node cookie) to the node that does NOT hold the room, so every
 *   measured join includes the `wrong_node` refusal and the client's reconnection with ?node=<owner>.
 *   Each such join is checked to have been redirected (see checkRedirected).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, phoneViewport } from '../tests/helpers/browser.ts';
import { firstContactCookie, startClusterTopology, type ClusterTopology } from '../tests/helpers/clusterTopology.ts';
import { serverHelpers, startFullServer, type ServerHelpers } from '../tests/helpers/fullServer.ts';
import { roomPages, staffLogin } from '../tests/helpers/roomPages.ts';
import { openTestDb } from '../tests/helpers/testDb.ts';
import { joinMarkPrefix, joinPhases } from '../client/src/services/joinPhases.ts';
import { percentile } from './stats.ts';

export interface JoinSeries {
  joins: number;
  p50_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
  admit_to_first_frame_p50_ms: number;
  admit_to_first_frame_p95_ms: number;
  /**
   * Each milestone's time after the join click (p50 and p95 over the joins): the client's
   * `cm-join:*` marks (joinPhases.ts), the mediator's admit click, and the first frame painted.
   * A phase a join never reached (e.g. no send transport) is left out of that phase's figures.
   */
  phases_ms: Record<string, { p50: number; p95: number; reached: number }>;
  samples_ms: number[];
}

export interface JoinViaProxy extends JoinSeries {
  nodes: number;
  room_owner: string;
  first_contact_node: string;
  /** Joins whose first handshake was refused with wrong_node naming the owner, then connected to the owner. */
  redirected_joins: number;
  /** From the refused socket's creation to the redirected socket's creation (the detour's cost). */
  redirect_p50_ms: number;
  redirect_p95_ms: number;
}

export interface JoinToFirstFrameResult {
  admit_to_first_frame_p50_ms: number;
  admit_to_first_frame_p95_ms: number;
  joins: number;
  p50_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
  samples_ms: number[];
  via_proxy: JoinViaProxy;
  node_rss_mb_after: number;
}

/**
 * Arms the page: records the time of the join click and of the first remote video frame painted.
 * Plain JavaScript in a string: tsx's transform would add helpers that do not exist in the page.
 */
const ARM_TIMERS = `(() => {
  const bench = (window.__bench = {});
  document.addEventListener('click', (e) => {
    if (e.target && e.target.closest && e.target.closest('[data-testid="join-button"]')) {
      if (bench.clickAt === undefined) bench.clickAt = Date.now();
    }
  }, true);
  new MutationObserver(() => {
    document.querySelectorAll('video[data-testid="remote-video"]').forEach((v) => {
      if (v.dataset.benchWatched) return;
      v.dataset.benchWatched = '1';
      v.requestVideoFrameCallback(() => {
        if (bench.frameAt === undefined) bench.frameAt = Date.now();
      });
    });
  }).observe(document.body, { childList: true, subtree: true, attributes: true });
})()`;

/**
 * Before any page script: every socket.io WebSocket the page opens, with the node it asked for
 * (?node=), whether the server refused its handshake (a socket.io CONNECT_ERROR packet, "44…",
 * with the WireError) or accepted it (CONNECT, "40…").
 */
const RECORD_SOCKETS = `(() => {
  const contacts = (window.__benchSockets = []);
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const u = new URL(url, location.href);
      if (!u.pathname.startsWith('/socket.io/')) return;
      const contact = { at: Date.now(), node: u.searchParams.get('node'), refused: null, connected: false };
      contacts.push(contact);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return;
        if (e.data.startsWith('44')) {
          try { const p = JSON.parse(e.data.slice(2)); contact.refused = p.data || { code: p.message }; } catch { contact.refused = { code: 'unparsable' }; }
        } else if (e.data.startsWith('40')) contact.connected = true;
      });
    }
  };
})()`;

interface SocketContact {
  at: number;
  node: string | null;
  refused: { code?: string; params?: { node?: string } } | null;
  connected: boolean;
}

/** On the mediator's page: remembers when the admit button was last clicked. */
const ARM_ADMIT = `(() => {
  document.addEventListener('click', (e) => {
    if (e.target && e.target.closest && e.target.closest('[data-testid="admit"]')) window.__admitAt = Date.now();
  }, true);
})()`;

/** A server (or the proxy in front of several) to join through. */
interface JoinTarget {
  baseUrl: string;
  helpers: Pick<ServerHelpers, 'api' | 'mediatorWithSession' | 'invite'>;
}

interface Room {
  token: string;
  sessionId: string;
  mediator: Page;
  mediatorContext: BrowserContext;
}

/** A mediator with a case and a session, in the room, publishing a fake camera. */
async function openRoom(browser: Browser, target: JoinTarget): Promise<Room> {
  const { token, session } = await target.helpers.mediatorWithSession();
  const contexts: BrowserContext[] = [];
  const { page: mediator, context: mediatorContext } = await roomPages(browser, contexts, () => target.baseUrl).mediatorPage(
    session.id,
    await staffLogin(target.helpers, token),
  );
  await mediator.evaluate(ARM_ADMIT);
  return { token, sessionId: session.id, mediator, mediatorContext };
}

/**
 * The one measurement: `joins` parties, one after another, each in a fresh phone context
 * (`prepare` runs on it first), join from their invitation link and are admitted; `check` runs
 * while each is in the room with its page's socket.io contacts, and may throw.
 */
async function measureJoins(
  browser: Browser,
  target: JoinTarget,
  room: Room,
  joins: number,
  label: string,
  hooks: { prepare?(context: BrowserContext): Promise<void>; check?(contacts: SocketContact[]): Promise<void> } = {},
): Promise<{ series: JoinSeries; contacts: SocketContact[][] }> {
  const samples: number[] = [];
  const fromAdmit: number[] = [];
  const contactsPerJoin: SocketContact[][] = [];
  const phaseSamples: Array<Record<string, number>> = [];
  for (let i = 0; i < joins; i++) {
    const invitation = await target.helpers.invite(room.token, room.sessionId, { role: 'party', displayName: `当事人${i + 1}`, side: 'applicant' });
    const context = await browser.newContext({ ...phoneViewport });
    try {
      await hooks.prepare?.(context);
      await context.addInitScript(RECORD_SOCKETS);
      const page = await context.newPage();
      await page.goto(invitation.url);
      const continueButton = page.getByTestId('continue');
      await page.getByTestId('invitation-landing').waitFor();
      if (await continueButton.isVisible().catch(() => false)) await continueButton.click();
      const joinButton = page.getByTestId('join-button');
      await joinButton.waitFor();
      await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="join-button"]')?.disabled);
      await page.evaluate(ARM_TIMERS);
      await joinButton.click();
      await room.mediator.getByTestId('admit').first().click({ timeout: 20_000 });
      await page.waitForFunction(
        () => {
          const b = (window as unknown as { __bench?: { frameAt?: number } }).__bench;
          return b?.frameAt !== undefined;
        },
        null,
        { timeout: 30_000, polling: 10 },
      );
      const { clickAt, frameAt } = await page.evaluate(() => (window as unknown as { __bench: { clickAt: number; frameAt: number } }).__bench);
      const admitAt = await room.mediator.evaluate(() => (window as unknown as { __admitAt: number }).__admitAt);
      const contacts = await page.evaluate(() => (window as unknown as { __benchSockets: SocketContact[] }).__benchSockets);
      const marks = await page.evaluate((prefix) => {
        const first: Record<string, number> = {};
        for (const m of performance.getEntriesByType('mark')) {
          if (!m.name.startsWith(prefix)) continue;
          const phase = m.name.slice(prefix.length);
          first[phase] ??= Math.round(performance.timeOrigin + m.startTime);
        }
        return first;
      }, joinMarkPrefix);
      const sample: Record<string, number> = { admit_clicked: admitAt - clickAt, first_frame: frameAt - clickAt };
      for (const [phase, at] of Object.entries(marks)) sample[phase] = at - clickAt;
      phaseSamples.push(sample);
      await hooks.check?.(contacts);
      contactsPerJoin.push(contacts);
      samples.push(frameAt - clickAt);
      fromAdmit.push(frameAt - admitAt);
      const phaseLine = phaseOrder
        .filter((p) => sample[p] !== undefined)
        .map((p) => `${p} ${sample[p]}`)
        .join(', ');
      process.stderr.write(`[bench] ${label} join ${i + 1}/${joins}: ${frameAt - clickAt} ms (${frameAt - admitAt} ms after admission): ${phaseLine}\n`);
      await page
        .getByTestId('leave')
        .click()
        .catch(() => undefined);
    } finally {
      await context.close();
    }
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const sortedFromAdmit = [...fromAdmit].sort((a, b) => a - b);
  return {
    series: {
      joins,
      p50_ms: percentile(sorted, 50),
      p95_ms: percentile(sorted, 95),
      min_ms: sorted[0]!,
      max_ms: sorted[sorted.length - 1]!,
      admit_to_first_frame_p50_ms: percentile(sortedFromAdmit, 50),
      admit_to_first_frame_p95_ms: percentile(sortedFromAdmit, 95),
      phases_ms: phaseFigures(phaseSamples),
      samples_ms: samples,
    },
    contacts: contactsPerJoin,
  };
}

const phaseOrder = [
  ...joinPhases.slice(0, joinPhases.indexOf('admitted')),
  'admit_clicked',
  ...joinPhases.slice(joinPhases.indexOf('admitted')),
  'first_frame',
];

function phaseFigures(samples: Array<Record<string, number>>): JoinSeries['phases_ms'] {
  const out: JoinSeries['phases_ms'] = {};
  for (const phase of phaseOrder) {
    const values = samples
      .map((s) => s[phase])
      .filter((v): v is number => v !== undefined)
      .sort((a, b) => a - b);
    if (values.length > 0) out[phase] = { p50: percentile(values, 50), p95: percentile(values, 95), reached: values.length };
  }
  return out;
}

/** One server, no proxy: one socket.io contact per join, accepted. */
export async function joinsDirect(browser: Browser, joins: number): Promise<JoinSeries> {
  const server = await startFullServer();
  try {
    const target = { baseUrl: server.baseUrl, helpers: server };
    const room = await openRoom(browser, target);
    const { series } = await measureJoins(browser, target, room, joins, 'direct', {
      async check(contacts) {
        if (contacts.length !== 1 || !contacts[0]!.connected)
          throw new Error(`direct join: expected one accepted socket.io contact, got ${JSON.stringify(contacts)}`);
      },
    });
    await room.mediatorContext.close();
    return series;
  } finally {
    await server.close();
  }
}

type Health = { nodeId: string; rooms: number; peers: number };
const health = async (topology: ClusterTopology, id: string) => (await (await fetch(`${topology.node(id).baseUrl}/api/health`)).json()) as Health;

/**
 * A measured join really went through the non-owner first: in the page, its first socket.io
 * contact asked for no node (so the cm_node cookie routed it, to `other`) and was refused with
 * wrong_node naming the owner, and the only accepted contact asked for ?node=<owner>; on the
 * servers, the party is a peer on the owner and the other node holds no room and no peer.
 */
async function checkRedirected(topology: ClusterTopology, owner: string, other: string, contacts: SocketContact[]): Promise<void> {
  const [first] = contacts;
  const accepted = contacts.filter((c) => c.connected);
  const problems: string[] = [];
  if (!first || first.node !== null) problems.push('the first contact was not routed by the cookie');
  else if (first.refused?.code !== 'wrong_node' || first.refused.params?.node !== owner)
    problems.push(`the first contact was not refused with wrong_node naming ${owner}`);
  if (accepted.length !== 1 || accepted[0]!.node !== owner) problems.push(`not exactly one accepted contact, with ?node=${owner}`);
  const [onOwner, onOther] = await Promise.all([health(topology, owner), health(topology, other)]);
  if (onOwner.rooms !== 1 || onOwner.peers !== 2)
    problems.push(`owner ${owner}: ${onOwner.rooms} rooms, ${onOwner.peers} peers (want 1 room, mediator + party)`);
  if (onOther.rooms !== 0 || onOther.peers !== 0) problems.push(`node ${other}: ${onOther.rooms} rooms, ${onOther.peers} peers (want none)`);
  if (problems.length > 0) throw new Error(`join via the proxy not redirected as intended: ${problems.join('; ')}; contacts ${JSON.stringify(contacts)}`);
}

/** Two nodes behind nginx; every party's first contact is the node without the room. */
async function joinsViaProxy(browser: Browser, joins: number): Promise<JoinViaProxy> {
  const topology = await startClusterTopology({ nodes: ['a', 'b'] });
  const testDb = openTestDb(topology.dataDir, topology.databaseUrl);
  try {
    const target = { baseUrl: topology.proxyUrl, helpers: serverHelpers(topology.proxyUrl, testDb) };
    const room = await openRoom(browser, target);
    const rooms = await Promise.all(topology.nodeIds.map((id) => health(topology, id)));
    const owners = rooms.filter((h) => h.rooms === 1);
    if (owners.length !== 1 || rooms.some((h) => h.rooms > 1)) throw new Error(`expected the one room on one node: ${JSON.stringify(rooms)}`);
    const owner = owners[0]!.nodeId;
    const other = topology.nodeIds.find((id) => id !== owner)!;
    process.stderr.write(`[bench] via proxy: the room is on node ${owner}; parties first contact node ${other}\n`);
    const { series, contacts } = await measureJoins(browser, target, room, joins, 'via proxy', {
      prepare: (context) => context.addCookies([firstContactCookie(topology, other)]),
      check: (c) => checkRedirected(topology, owner, other, c),
    });
    await room.mediatorContext.close();
    const detours = contacts.map((c) => c.find((x) => x.connected)!.at - c[0]!.at).sort((a, b) => a - b);
    return {
      ...series,
      nodes: topology.nodeIds.length,
      room_owner: owner,
      first_contact_node: other,
      redirected_joins: contacts.length,
      redirect_p50_ms: percentile(detours, 50),
      redirect_p95_ms: percentile(detours, 95),
    };
  } finally {
    await testDb.db.$disconnect();
    await topology.stop();
  }
}

export async function benchJoinToFirstFrame(joins = Number(process.env.BENCH_JOINS ?? 12)): Promise<JoinToFirstFrameResult> {
  const browser = await launchChromium();
  try {
    const direct = await joinsDirect(browser, joins);
    const viaProxy = await joinsViaProxy(browser, joins);
    return { ...direct, via_proxy: viaProxy, node_rss_mb_after: Math.round(process.memoryUsage().rss / 1024 / 1024) };
  } finally {
    await browser.close();
  }
}
