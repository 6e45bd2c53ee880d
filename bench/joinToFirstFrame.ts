/**
 * join_to_first_frame_ms: from the party pressing "加入调解" to the first decoded frame of the
 * mediator's video on the party's page, in headless Chromium with a fake camera, through the real
 * server (signalling round trips, transport set-up, DTLS, consumer resume and key frame included).
 * Parties arrive in the waiting room; the mediator's page admits each one as soon as they appear
 * (a scripted click), so the figure includes one admission round trip and no human delay.
 * admit_to_first_frame_ms starts at that click instead. Times are Date.now() in both pages (same machine).
 */
import type { Page } from 'playwright-core';
import { launchChromium, phoneViewport } from '../tests/helpers/browser.ts';
import { startFullServer, TEST_PASSWORD } from '../tests/helpers/fullServer.ts';

export interface JoinToFirstFrameResult {
  admit_to_first_frame_p50_ms: number;
  admit_to_first_frame_p95_ms: number;
  joins: number;
  p50_ms: number;
  p95_ms: number;
  min_ms: number;
  max_ms: number;
  samples_ms: number[];
  node_rss_mb_after: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
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

async function armTimers(page: Page): Promise<void> {
  await page.evaluate(ARM_TIMERS);
}

/** On the mediator's page: remembers when the admit button was last clicked. */
const ARM_ADMIT = `(() => {
  document.addEventListener('click', (e) => {
    if (e.target && e.target.closest && e.target.closest('[data-testid="admit"]')) window.__admitAt = Date.now();
  }, true);
})()`;

export async function benchJoinToFirstFrame(joins = Number(process.env.BENCH_JOINS ?? 12)): Promise<JoinToFirstFrameResult> {
  const server = await startFullServer();
  const browser = await launchChromium();
  try {
    await server.createUser('bench-mediator', 'mediator', { displayName: '基准调解员' });
    const { token } = await server.login('bench-mediator');
    const created = await server.api('POST', '/api/cases', {
      token,
      body: {
        disputeType: 'neighbour',
        title: '基准测试案件',
        description: '邻里噪音纠纷（基准测试）',
        parties: [{ side: 'applicant', name: '测试甲', phone: '13800000001' }],
      },
    });
    const session = await server.api('POST', `/api/cases/${created.body.id}/sessions`, { token });
    const sessionId: string = session.body.id;

    // The mediator is in the room, publishing a fake camera.
    const mediatorContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const mediator = await mediatorContext.newPage();
    await mediator.goto(`${server.baseUrl}/login`);
    await mediator.locator('#login-username').fill('bench-mediator');
    await mediator.locator('#login-password').fill(TEST_PASSWORD);
    await mediator.locator('button[type=submit]').click();
    await mediator.waitForURL((url) => !url.pathname.startsWith('/login'));
    await mediator.goto(`${server.baseUrl}/session/${sessionId}`);
    await mediator.getByTestId('join-button').click();
    await mediator.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
    await mediator.evaluate(ARM_ADMIT);

    const samples: number[] = [];
    const fromAdmit: number[] = [];
    for (let i = 0; i < joins; i++) {
      const invitation = await server.invite(token, sessionId, { role: 'party', displayName: `当事人${i + 1}`, side: 'applicant' });
      const context = await browser.newContext({ ...phoneViewport });
      const page = await context.newPage();
      await page.goto(invitation.url);
      const continueButton = page.getByTestId('continue');
      await page.getByTestId('invitation-landing').waitFor();
      if (await continueButton.isVisible().catch(() => false)) await continueButton.click();
      const joinButton = page.getByTestId('join-button');
      await joinButton.waitFor();
      await page.waitForFunction(() => !document.querySelector<HTMLButtonElement>('[data-testid="join-button"]')?.disabled);
      await armTimers(page);
      await joinButton.click();
      await mediator.getByTestId('admit').first().click({ timeout: 20_000 });
      await page.waitForFunction(
        () => {
          const b = (window as unknown as { __bench?: { frameAt?: number } }).__bench;
          return b?.frameAt !== undefined;
        },
        null,
        { timeout: 30_000, polling: 10 },
      );
      const { clickAt, frameAt } = await page.evaluate(
        () => (window as unknown as { __bench: { clickAt: number; frameAt: number } }).__bench,
      );
      const admitAt = await mediator.evaluate(() => (window as unknown as { __admitAt: number }).__admitAt);
      samples.push(frameAt - clickAt);
      fromAdmit.push(frameAt - admitAt);
      process.stderr.write(`[bench] join ${i + 1}/${joins}: ${frameAt - clickAt} ms (${frameAt - admitAt} ms after admission)\n`);
      await page.getByTestId('leave').click().catch(() => undefined);
      await context.close();
    }
    await mediatorContext.close();
    const sorted = [...samples].sort((a, b) => a - b);
    const sortedFromAdmit = [...fromAdmit].sort((a, b) => a - b);
    return {
      admit_to_first_frame_p50_ms: percentile(sortedFromAdmit, 50),
      admit_to_first_frame_p95_ms: percentile(sortedFromAdmit, 95),
      joins,
      p50_ms: percentile(sorted, 50),
      p95_ms: percentile(sorted, 95),
      min_ms: sorted[0]!,
      max_ms: sorted[sorted.length - 1]!,
      samples_ms: samples,
      node_rss_mb_after: Math.round(process.memoryUsage().rss / 1024 / 1024),
    };
  } finally {
    await browser.close();
    await server.close();
  }
}
