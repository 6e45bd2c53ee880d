import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshot } from '../helpers/browser.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { roomPages, staffLogin, type StaffLogin } from '../helpers/roomPages.ts';
import { waitForRemoteMedia } from '../helpers/roomStats.ts';
import { until } from '../helpers/wait.ts';

/*
 * The mediation room with several pages in one browser: a mediator (desktop), two parties
 * (phones) and an official. Waiting room, caucus isolation (server consumer lists and the
 * excluded party's getStats), mute and remove, reconnection, mediator drop and return.
 */

type Stat = Record<string, unknown>;

const waitFor = (check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 15_000) => until(check, what, ms, 150);

const stateOf = (page: Page) =>
  page.evaluate(
    () =>
      (window as unknown as { __cm?: { getState(): { selfId: string | null; place: string | null; peers: Array<{ id: string }> } } }).__cm?.getState() ?? null,
  );
const statsOf = (page: Page) => page.evaluate(() => (window as unknown as { __cm: { getStats(): Promise<Stat[]> } }).__cm.getStats()) as Promise<Stat[]>;

describe('the mediation room in Chromium', () => {
  let server: FullServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing');
    server = await startFullServer({ signallingTiming: { pingIntervalMs: 2000, pingTimeoutMs: 2000, recoveryMs: 4000 } });
    browser = await launchChromium();
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  const pages = () => roomPages(browser, contexts, () => server.baseUrl);
  const mediatorPage = (sessionId: string, login: StaffLogin) => pages().mediatorPage(sessionId, login);
  const inviteePage = (url: string, phone = true) => pages().inviteePage(url, phone);
  const closeAgreementDrawer = (page: Page) => pages().closeAgreementDrawer(page);

  async function setup() {
    const { token, session } = await server.mediatorWithSession();
    const login = await staffLogin(server, token);
    const invA = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const invB = await server.invite(token, session.id, { role: 'party', displayName: '李四', side: 'respondent' });
    const invO = await server.invite(token, session.id, { role: 'official', displayName: '刘警官', department: '派出所' });
    return { token, session, login, invA, invB, invO };
  }

  test('waiting room, caucus isolation, hot-mic guard, mute and remove', async () => {
    const { session, login, invA, invB, invO, token } = await setup();
    const m = await mediatorPage(session.id, login);
    const a = await inviteePage(invA.url);
    const b = await inviteePage(invB.url);
    const o = await inviteePage(invO.url, false);
    for (const p of [a, b, o]) await p.page.getByTestId('lobby').waitFor();
    await waitFor(async () => (await m.page.getByTestId('waiting-row').count()) === 3, 'three waiting');
    await screenshot(a.page, 'room-01-party-waiting-phone');
    await screenshot(m.page, 'room-02-mediator-waiting-list');
    // Nobody waiting receives anything.
    assert.equal((await statsOf(b.page)).filter((s) => s.type === 'inbound-rtp' && s.peerId).length, 0);
    // A waiting party is ready for admission (both transports connected, camera and microphone
    // produced on the server) yet sends nothing: every encoding is off until admitted.
    const waitingReady = (stats: Stat[]) => {
      const out = stats.filter((s) => s.type === 'outbound-rtp');
      const dtls = stats.filter((s) => s.type === 'transport').map((s) => `${s.transportDirection}:${s.dtlsState}`);
      return (
        out.some((s) => s.kind === 'audio') &&
        out.some((s) => s.kind === 'video') &&
        out.every((s) => s.active === false) &&
        dtls.includes('send:connected') &&
        dtls.includes('recv:connected')
      );
    };
    let seen = '';
    await waitFor(
      async () => {
        const stats = await statsOf(a.page);
        seen = JSON.stringify(
          stats.filter((s) => s.type === 'outbound-rtp' || s.type === 'transport').map((s) => [s.type, s.kind, s.active, s.transportDirection, s.dtlsState]),
        );
        return waitingReady(stats);
      },
      () => `A ready and silent while waiting: ${seen}`,
    );
    const producersOfA = () =>
      server.app.rooms
        .get(session.id)!
        .mediaState()
        .peers.find((p) => p.displayName === '张三')?.producers.length ?? 0;
    await waitFor(() => producersOfA() === 2, "A's producers on the server");

    // Deny the official with a reason, then admit the two parties.
    await m.page.locator(`[data-testid=waiting-row]:has-text("刘警官") [data-testid=deny]`).click();
    await m.page.getByTestId('deny-reason').fill('今天不需要部门参加');
    await m.page.getByTestId('deny-confirm').click();
    await o.page.getByText('今天不需要部门参加').waitFor();
    await screenshot(o.page, 'room-03-official-denied');
    await m.page.getByTestId('admit-all').click();
    for (const p of [a, b]) await p.page.getByTestId('lobby').waitFor({ state: 'detached' });
    for (const p of [a.page, b.page, m.page]) {
      const media = await waitForRemoteMedia(p);
      assert.ok(media.videoFramesDecoded > 0, 'media flows after admission');
    }
    await m.page.waitForTimeout(800);
    await screenshot(m.page, 'room-04-mediator-joint');
    await screenshot(b.page, 'room-05-party-joint-phone');

    // Caucus with the applicant: B is excluded.
    const ids = {
      m: (await stateOf(m.page))!.selfId!,
      a: (await stateOf(a.page))!.selfId!,
      b: (await stateOf(b.page))!.selfId!,
    };
    const caucusSsrcs = new Set(
      (await statsOf(b.page)).filter((s) => s.type === 'inbound-rtp' && (s.peerId === ids.a || s.peerId === ids.m)).map((s) => s.ssrc),
    );
    assert.ok(caucusSsrcs.size >= 2, 'B received A and the mediator before the caucus');
    await m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.a}"] [data-testid=caucus-pick]`).check();
    await m.page.getByTestId('caucus-start').click();
    await a.page.locator('[data-testid=room-state][data-state=caucus]').waitFor();
    await b.page.locator('[data-testid=room-state][data-state=caucus-other]').waitFor();
    const room = server.app.rooms.get(session.id)!;
    const producersOf = (peerId: string) =>
      room
        .mediaState()
        .peers.find((p) => p.peerId === peerId)
        ?.producers.map((p) => p.id) ?? [];
    const consumersOf = (peerId: string) =>
      room
        .mediaState()
        .peers.find((p) => p.peerId === peerId)
        ?.consumers.map((c) => c.producerId) ?? [];
    const caucusProducers = new Set([...producersOf(ids.a), ...producersOf(ids.m)]);
    await waitFor(() => consumersOf(ids.b).every((id) => !caucusProducers.has(id)), 'B has no consumer of a caucus producer');
    assert.deepEqual(consumersOf(ids.b), []);
    assert.ok(
      consumersOf(ids.a).every((id) => !producersOf(ids.b).includes(id)),
      'A hears nothing from B',
    );
    // getStats in B's page: no inbound bytes from the caucus producers' streams.
    const bytes = async () =>
      (await statsOf(b.page)).filter((s) => s.type === 'inbound-rtp' && caucusSsrcs.has(s.ssrc)).reduce((n, s) => n + Number(s.bytesReceived ?? 0), 0);
    await b.page.waitForTimeout(500);
    const t0 = await bytes();
    await b.page.waitForTimeout(2000);
    assert.equal(await bytes(), t0, 'no inbound bytes from caucus producers in the excluded page');
    await screenshot(m.page, 'room-06-mediator-caucus');
    await screenshot(a.page, 'room-07-party-in-caucus-phone');
    // The excluded party's empty tile agrees with the banner (not "the mediator will start shortly").
    await b.page.locator('[data-testid=waiting]:has-text("调解员正在与另一方单独沟通")').waitFor();
    await screenshot(b.page, 'room-08-party-excluded-phone');

    // End the caucus: A's microphone comes back muted and the UI says so.
    await m.page.getByTestId('caucus-end').click();
    await a.page.locator('[data-notice=muted-caucus_return]').waitFor();
    await waitFor(
      () =>
        room
          .mediaState()
          .peers.find((p) => p.peerId === ids.a)!
          .producers.find((p) => p.kind === 'audio')!.paused,
      'A mic paused',
    );
    await screenshot(a.page, 'room-09-party-back-muted-phone');
    await waitFor(async () => (await waitForRemoteMedia(b.page, 5000)).videoFramesDecoded > 0 && consumersOf(ids.b).length >= 2, 'B re-offered');

    // Mute B, ask to unmute, B decides.
    await m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.b}"] [data-testid=mute-peer]`).click();
    await b.page.locator('[data-notice=muted-mediator]').waitFor();
    await m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.b}"] [data-testid=ask-unmute]`).click();
    await b.page.getByTestId('unmute-request').waitFor();
    await screenshot(b.page, 'room-10-party-asked-to-unmute-phone');
    await b.page.getByTestId('unmute-yes').click();
    await waitFor(
      () =>
        !room
          .mediaState()
          .peers.find((p) => p.peerId === ids.b)!
          .producers.find((p) => p.kind === 'audio')!.paused,
      'B unmuted',
    );

    // Send A back to the waiting room, then remove B (their link stops working).
    await m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.a}"] [data-testid=send-back]`).click();
    await a.page.getByTestId('lobby').waitFor();
    await m.page.locator(`[data-testid=participant-row][data-peer-id="${ids.b}"] [data-testid=remove-peer]`).click();
    await m.page.getByTestId('confirm-remove').getByTestId('confirm-ok').click();
    await b.page.getByText('调解员已请您离开调解室').waitFor();
    const invs = await server.api('GET', `/api/sessions/${session.id}/invitations`, { token });
    assert.ok((invs.body as Array<{ id: string; revokedAt: string | null }>).find((i) => i.id === invB.id)?.revokedAt);
    await screenshot(m.page, 'room-11-mediator-after-remove');
    for (const p of [m, a, b, o]) await p.context.close();
  });

  test('reconnection: offline and back, page reload (same identity, no ghost), mediator drop and return', async () => {
    const { session, login, invA } = await setup();
    const m = await mediatorPage(session.id, login);
    const a = await inviteePage(invA.url);
    await m.page.getByTestId('admit').click();
    await a.page.getByTestId('lobby').waitFor({ state: 'detached' });
    await waitForRemoteMedia(a.page);
    const room = () => server.app.rooms.get(session.id)!;
    const parties = () =>
      room()
        .mediaState()
        .peers.filter((p) => p.role === 'party');

    // A short network drop: the party comes back by itself, still admitted, one peer.
    await a.context.setOffline(true);
    await a.page.waitForTimeout(1500);
    await a.context.setOffline(false);
    await a.page.waitForFunction(
      () => (window as unknown as { __cm: { getState(): { status: string; place: string } } }).__cm.getState().status === 'joined',
      null,
      { timeout: 20_000 },
    );
    await waitFor(
      () => parties().length === 1 && parties()[0]!.producers.length === 2,
      () => `one party peer with two producers; the server has ${JSON.stringify(parties().map((p) => ({ producers: p.producers.map((x) => x.kind) })))}`,
    );

    // A reload: same identity, admitted before → straight back in, the old peer replaced (no ghost).
    await a.page.reload();
    await a.page.locator('[data-testid=continue], [data-testid=join-button]').first().waitFor();
    const cont = a.page.getByTestId('continue');
    if (await cont.isVisible().catch(() => false)) await cont.click();
    await a.page.getByTestId('join-button').click();
    await a.page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
    await waitFor(() => parties().length === 1, 'no ghost after reload');
    assert.equal((await stateOf(a.page))!.place, 'main');
    await waitForRemoteMedia(a.page);

    // The mediator drops: the party sees "the mediator is reconnecting"; back with the same powers.
    await m.page.close();
    await a.page.locator('[data-testid=room-state][data-state=paused]').waitFor({ timeout: 15_000 });
    await screenshot(a.page, 'room-12-party-mediator-reconnecting-phone');
    assert.equal(room().paused, true);
    const back = await m.context.newPage();
    await back.goto(`${server.baseUrl}/session/${session.id}`);
    await back.getByTestId('join-button').click();
    await back.getByTestId('mediator-panel').waitFor();
    await closeAgreementDrawer(back);
    await a.page.locator('[data-testid=room-state][data-state=main]').waitFor({ timeout: 15_000 });
    assert.equal(room().paused, false);
    await back.getByTestId('lock').click();
    await waitFor(() => room().locked, 'the returning mediator can lock');
    await m.context.close();
    await waitFor(async () => {
      try {
        const dump = await server.app.pool.workers[0]!.dump();
        void dump;
        return true;
      } catch {
        return false;
      }
    }, 'worker alive');
    await a.context.close();
    await waitFor(() => server.app.rooms.get(session.id) === undefined, 'room freed after everyone closed', 20_000);
    const dump = await server.app.pool.workers[0]!.dump();
    assert.deepEqual(dump.routerIds, [], 'nothing left on the worker');
  });
});
