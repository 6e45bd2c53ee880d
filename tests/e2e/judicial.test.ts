import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { ManualClock } from '../../server/clock.ts';
import { signatureDataUrl } from '../api/agreementHelpers.ts';
import { drawSignature } from '../helpers/agreementBrowser.ts';
import { artifactFile, launchChromium, loginStaff, phoneViewport, screenshot } from '../helpers/browser.ts';
import { layoutAuditScript } from '../helpers/layoutAudit.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';
import { sealedAgreement, type SealedCase } from '../helpers/sealedAgreement.ts';
import { roomPages } from '../helpers/roomPages.ts';
import { mediaFlowing, rtpBothWays } from '../helpers/roomStats.ts';
import { lastSms } from '../helpers/smsOutbox.ts';

/*
 * Online judicial confirmation in Chromium, on a manual server clock (the browsers' clocks pinned
 * to it, so "days left" agrees with the server's period):
 *   agreement sealed → the mediator applies on the case page, choosing the court → each party
 *   confirms on a phone (consent, the code from the SMS outbox, a drawn signature) → the judge
 *   lands on the court's queue, reviews, holds a video hearing with both parties on phones (media
 *   both ways, the judge hosting as 法官), confirms → the sealed ruling is downloaded, `pdfsig`
 *   says it is valid, /verify names the court; a rejection (reasons required) reaches the parties'
 *   pages; an application after the statutory period is refused with the catalogue message.
 */
const run = promisify(execFile);
const DAY = 24 * 3600_000;
const SHOTS = '/tmp/shots/judicial-client';
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-judicial-'));
const desktop = { viewport: { width: 1366, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const phone = { ...phoneViewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' };
const COURT = '示范区人民法院';

const clock = new ManualClock('2026-03-02T09:00:00+08:00');
let server: FullServer;
let browser: Browser;
let mediatorToken = '';
let courtId = '';
const pinned: BrowserContext[] = [];
/** The parties' phones in the hearing room (their clocks are not pinned: media runs on real time). */
const roomContexts: BrowserContext[] = [];

const errors: string[] = [];
/** What the layout audit found on the pages photographed. */
const layout = new Set<string>();
const openPages = new Map<string, Page>();

async function newPage(name: string, options: Parameters<Browser['newContext']>[0]): Promise<Page> {
  const ctx = await browser.newContext(options);
  await ctx.clock.setFixedTime(clock.now());
  pinned.push(ctx);
  const page = await ctx.newPage();
  page.on('pageerror', (e) => errors.push(`${name}: ${e.message}`));
  openPages.set(name, page);
  return page;
}
const syncClocks = async () => {
  for (const ctx of pinned) await ctx.clock.setFixedTime(clock.now());
};

/** Staff sign in; a judge lands on the court's queue, everyone else on the console. */
const login = (page: Page, username: string) => loginStaff(page, server.baseUrl, username, TEST_PASSWORD, username.startsWith('judge') ? '/court' : '/');

/** A staff member's desktop page: the one the earlier steps opened, else a new one, logged in (each test runs alone too). */
async function staffPage(name: string, username: string): Promise<Page> {
  const open = openPages.get(name);
  if (open && !open.isClosed()) return open;
  const page = await newPage(name, desktop);
  await login(page, username);
  return page;
}

/**
 * Phone and desktop, Chinese and English, of the page or one `part` of it, into /tmp/shots/judicial-client
 * (then back to Chinese at the page's own size). Each time the layout audit runs over the page, at its
 * top and bottom (overflow, buttons covered or cut off, message keys shown): what it finds fails the test.
 */
async function shots(page: Page, name: string, part?: Locator): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  const own = page.viewportSize();
  for (const lang of ['zh-CN', 'en'] as const) {
    if ((await page.evaluate(() => document.documentElement.lang)) !== lang) await page.locator('.lang-toggle').first().click();
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    for (const [size, viewport] of [
      ['phone', { width: 390, height: 844 }],
      ['desktop', { width: 1366, height: 900 }],
    ] as const) {
      await page.setViewportSize(viewport);
      const file = path.join(SHOTS, `${name}-${lang}-${size}.png`);
      if (part) await part.screenshot({ path: file });
      else await page.screenshot({ path: file, fullPage: true });
      for (const at of ['0', 'document.documentElement.scrollHeight']) {
        await page.evaluate(`window.scrollTo(0, ${at})`);
        for (const problem of (await page.evaluate(layoutAuditScript(viewport.width))) as string[]) layout.add(`${name} [${lang} ${size}]: ${problem}`);
      }
    }
  }
  await page.locator('.lang-toggle').first().click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  if (own) await page.setViewportSize(own);
}

/** The newest six-digit code sent to a phone. */
async function codeSentTo(phoneNumber: string): Promise<string> {
  const sms = await lastSms(server.testDb, phoneNumber);
  const code = /验证码\D{0,3}(\d{6})/.exec(sms)?.[1] ?? /(\d{6})/.exec(sms)?.[1];
  assert.ok(code, `a code in ${sms}`);
  return code;
}

/** A party confirms on their phone page: consent, code from the outbox, drawn signature. */
async function confirmOnPhone(page: Page, phoneNumber: string, seed: number): Promise<void> {
  await page.getByTestId('sign-form').waitFor();
  clock.advance(31_000);
  await page.getByTestId('sign-consent').check();
  await page.getByTestId('sign-send-code').click();
  await page.getByTestId('sign-code-sent').waitFor();
  await page.getByTestId('sign-code').fill(await codeSentTo(phoneNumber));
  await drawSignature(page, seed);
  await page.getByTestId('sign-submit').click();
  await page.locator('[data-testid=judicial-outcome]').waitFor({ timeout: 15_000 });
}

/** Starts and confirms an application through the API (the rejection path's parties confirm as the phone page would). */
async function appliedAndConfirmed(sealed: SealedCase): Promise<{ applicationId: string; tokens: string[] }> {
  const started = await server.api('POST', `/api/cases/${sealed.caseId}/judicial`, { token: mediatorToken, body: { courtUnitId: courtId } });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const tokens = (started.body.links as Array<{ url: string }>).map((l) => new URLSearchParams(new URL(l.url).hash.slice(1)).get('t')!);
  for (const [i, token] of tokens.entries()) {
    clock.advance(31_000);
    const otp = await server.api('POST', '/api/judicial/apply/otp', { token, body: {} });
    assert.equal(otp.status, 200, JSON.stringify(otp.body));
    const confirmed = await server.api('POST', '/api/judicial/apply/confirm', {
      token,
      body: { consent: true, consentLang: 'zh-CN', code: await codeSentTo(sealed.parties[i]!.phone), signaturePng: signatureDataUrl(70 + i) },
    });
    assert.equal(confirmed.status, 200, JSON.stringify(confirmed.body));
  }
  return { applicationId: started.body.application.id as string, tokens };
}

before(async () => {
  server = await startFullServer({ clock, env: { STAFF_SESSION_HOURS: String(24 * 365) } });
  await server.createUser('wang', 'mediator', { displayName: '王调解员' });
  await server.createUser('admin1', 'admin', { displayName: '管理员' });
  const judgeId = await server.createUser('judge1', 'judge', { displayName: '陈法官' });
  await server.createUser('judge2', 'judge', { displayName: '林法官' });
  const admin = (await server.login('admin1')).token;
  const unit = await server.api('POST', '/api/admin/units', { token: admin, body: { name: COURT, kind: 'court', level: 'county' } });
  assert.equal(unit.status, 201, JSON.stringify(unit.body));
  courtId = unit.body.id as string;
  const placed = await server.api('PUT', `/api/admin/users/${judgeId}/unit`, { token: admin, body: { unitId: courtId } });
  assert.equal(placed.status, 200, JSON.stringify(placed.body));
  mediatorToken = (await server.login('wang')).token;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** On failure, a screenshot of every open page (tests/artifacts/judicial-failed-*.png). */
async function onFailure(error: unknown): Promise<never> {
  for (const [name, page] of openPages) if (!page.isClosed()) await screenshot(page, `judicial-failed-${name}`).catch(() => undefined);
  throw error;
}

describe('online judicial confirmation in Chromium', () => {
  test('sealed agreement → mediator applies → both parties confirm on phones → judge confirms → sealed ruling verified', async () => {
    try {
      const sealed = await sealedAgreement(server, clock, mediatorToken, [
        { side: 'applicant', name: '张三', phone: '13812345678' },
        { side: 'respondent', name: '李四', phone: '13987654321' },
      ]);

      // The mediator applies from the case page, choosing the court; the deadline is the statutory period.
      const mediator = await newPage('mediator', desktop);
      await login(mediator, 'wang');
      await mediator.goto(`${server.baseUrl}/cases/${sealed.caseId}`);
      const card = mediator.getByTestId('case-judicial');
      await card.getByTestId('judicial-start').waitFor();
      assert.match((await card.getByTestId('judicial-deadline').textContent())!, /申请期限至.*还剩 \d+ 天/);
      await card.getByTestId('judicial-court-select').selectOption({ label: COURT });
      await card.getByTestId('judicial-start').click();
      await card.getByTestId('judicial-links').waitFor();
      await card.locator('[data-testid=judicial-application][data-status=collecting]').waitFor();
      const urls: string[] = [];
      for (const p of sealed.parties) urls.push((await card.getByTestId(`judicial-link-${p.id}`).getAttribute('data-url'))!);
      assert.ok(
        urls.every((u) => /\/judicial#t=/.test(u)),
        urls.join(' '),
      );
      await shots(mediator, 'case-card-collecting', card);

      // Each party confirms on a phone. The first page stays open and follows the application by itself.
      const phones: Page[] = [];
      for (const [i, url] of urls.entries()) {
        const p = await newPage(`party${i}`, phone);
        await p.goto(url);
        await p.getByTestId('judicial-application-text').waitFor();
        assert.equal(new URL(p.url()).hash, '', 'the token leaves the address bar');
        assert.equal((await p.getByTestId('judicial-court').textContent())!.trim(), COURT);
        assert.equal((await p.getByTestId('judicial-agreement-number').textContent())!.trim(), sealed.caseNumber);
        if (i === 0) await shots(p, 'party-page-to-confirm');
        await confirmOnPhone(p, sealed.parties[i]!.phone, i + 1);
        phones.push(p);
      }
      await phones[0]!.locator('[data-testid=judicial-outcome][data-status=submitted]').waitFor({ timeout: 15_000 });
      await shots(phones[0]!, 'party-page-submitted');

      // The case page shows it submitted (on reload) with both confirmations.
      await mediator.reload();
      await card.locator('[data-testid=judicial-application][data-status=submitted]').waitFor();
      assert.equal(await card.locator('[data-testid=judicial-party][data-status=confirmed]').count(), 2);

      // The judge lands on the court's queue, finds the application and reviews it.
      const judge = await newPage('judge', desktop);
      await login(judge, 'judge1');
      await judge.waitForURL((u) => u.pathname === '/court');
      const row = judge.locator(`[data-testid=court-queue-row]`).filter({ hasText: sealed.caseNumber });
      await row.waitFor();
      await shots(judge, 'court-queue');
      await row.getByTestId('court-queue-open').click();
      await judge.locator('[data-testid=judicial-review][data-status=submitted]').waitFor();
      await judge.getByTestId('judicial-review-agreement').getByTestId('agreement-text').waitFor();
      await shots(judge, 'court-review');

      // The hearing: the judge starts it on the review page (a link and QR code per party), enters
      // the room as host; both parties join on phones through the waiting room; media flows both
      // ways at each end; everyone sees the judge as 法官; the judge ends it for all.
      const room = roomPages(browser, roomContexts, () => server.baseUrl);
      const controls = judge.getByTestId('hearing-controls');
      await controls.getByTestId('hearing-start').click();
      await controls.getByTestId('hearing-links').waitFor();
      assert.equal(await controls.getByTestId('invitation-qr').count(), 2, 'a QR code per party');
      const hearingLink = (side: string) => controls.locator(`[data-testid=hearing-party-link][data-side=${side}] input`).inputValue();
      const hearingLinks = [await hearingLink('applicant'), await hearingLink('respondent')];
      assert.ok(
        hearingLinks.every((u) => /\/join#t=/.test(u)),
        hearingLinks.join(' '),
      );
      await shots(judge, 'court-review-hearing', controls);
      const sessionId = (await controls.getByTestId('hearing-links').getAttribute('data-session-id'))!;
      await controls.getByTestId('hearing-enter').click();
      await judge.waitForURL((u) => u.pathname === `/session/${sessionId}`);
      await judge.getByTestId('join-button').click();
      await judge.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
      await room.closeAgreementDrawer(judge);
      const [applicantRoom, respondentRoom] = [await room.inviteePage(hearingLinks[0]!), await room.inviteePage(hearingLinks[1]!)];
      for (const p of [applicantRoom.page, respondentRoom.page]) await p.getByTestId('lobby').waitFor();
      assert.match(await applicantRoom.page.getByTestId('lobby').innerText(), /法官会请您进入听证室/);
      assert.equal((await applicantRoom.page.getByTestId('lobby-mediator').innerText()).trim(), '陈法官');
      for (const name of ['张三', '李四']) await judge.locator(`[data-testid=waiting-row]:has-text("${name}") [data-testid=admit]`).click();
      for (const p of [applicantRoom.page, respondentRoom.page]) await p.getByTestId('lobby').waitFor({ state: 'detached', timeout: 20_000 });
      for (const [page, who] of [
        [judge, 'judge'],
        [applicantRoom.page, 'applicant'],
        [respondentRoom.page, 'respondent'],
      ] as const) {
        await mediaFlowing(page, who);
        await rtpBothWays(page, who);
      }
      assert.deepEqual(
        server.app.rooms
          .get(sessionId)!
          .mediaState()
          .peers.map((p) => p.role)
          .sort(),
        ['judge', 'party', 'party'],
      );
      const judgeTile = applicantRoom.page.locator('[data-testid=remote-tile] .tile__role', { hasText: '法官' });
      await judgeTile.first().waitFor();
      await judge.screenshot({ path: path.join(SHOTS, 'hearing-judge-hosting-zh-desktop.png') });
      await applicantRoom.page.screenshot({ path: path.join(SHOTS, 'hearing-party-zh-phone.png') });
      await judge.getByTestId('end-all').click();
      await judge.getByTestId('confirm-end').getByTestId('confirm-ok').click();
      for (const p of [applicantRoom.page, respondentRoom.page])
        await p.waitForFunction(() => document.body.dataset.roomState !== 'joined', null, { timeout: 20_000 });
      const hearingTypes = (await server.api<Array<{ type: string }>>('GET', `/api/cases/${sealed.caseId}/timeline`, { token: mediatorToken })).body.map(
        (e) => e.type,
      );
      assert.ok(hearingTypes.includes('judicial.hearing_started') && hearingTypes.includes('judicial.hearing_ended'), hearingTypes.join(', '));
      await judge.goto(`${server.baseUrl}/court`);
      await row.waitFor();
      await row.getByTestId('court-queue-open').click();
      await judge.locator('[data-testid=judicial-review][data-status=submitted]').waitFor();

      // The decision: 确认有效, confirmed in a dialog; the sealed ruling appears.
      await judge.getByTestId('judicial-decide-confirmed').check();
      await judge.getByTestId('judicial-decide-submit').click();
      await judge.getByTestId('judicial-decide-confirm').getByTestId('confirm-ok').click();
      await judge.locator('[data-testid=judicial-decision][data-decision=confirmed]').getByTestId('judicial-ruling-code').waitFor({ timeout: 30_000 });
      const code = (await judge.getByTestId('judicial-ruling-code').textContent())!.trim();
      const number = (await judge.getByTestId('judicial-ruling-number').textContent())!.trim();
      await shots(judge, 'court-review-confirmed');

      const [download] = await Promise.all([judge.waitForEvent('download'), judge.getByTestId('judicial-ruling-download').click()]);
      assert.equal(download.suggestedFilename(), `民事裁定书-${number}.pdf`);
      const file = path.join(work, 'ruling.pdf');
      await download.saveAs(file);
      copyFileSync(file, artifactFile('judicial-ruling.pdf'));
      const { stdout: sig } = await run('pdfsig', ['-nocert', file]);
      assert.match(sig, /Signature is Valid\./);
      assert.match(sig, /Total document signed/);
      const { stdout: text } = await run('pdftotext', [file, '-']);
      const flat = text.replace(/\s+/g, '');
      for (const s of [COURT, '民事裁定书', sealed.caseNumber, '陈法官', code]) assert.ok(flat.includes(s), `the ruling's text has ${s}`);

      // The parties' pages, open all along, show the decision and offer the ruling.
      for (const p of phones) {
        await p.locator('[data-testid=judicial-outcome][data-status=confirmed]').waitFor({ timeout: 15_000 });
        await p.getByTestId('judicial-ruling-download').waitFor();
      }
      const [partyDownload] = await Promise.all([phones[1]!.waitForEvent('download'), phones[1]!.getByTestId('judicial-ruling-download').click()]);
      const partyFile = path.join(work, 'ruling-party.pdf');
      await partyDownload.saveAs(partyFile);
      assert.ok(readFileSync(partyFile).equals(readFileSync(file)), "the party's download is the sealed ruling");
      await shots(phones[0]!, 'party-page-confirmed');

      // Everyone reading the case sees it confirmed, the judge on the case page too.
      await mediator.reload();
      await card.locator('[data-testid=judicial-application][data-status=confirmed]').waitFor();
      assert.equal(await card.getByTestId('judicial-ruling-verify').getAttribute('href'), `/verify#c=${encodeURIComponent(code)}`);
      await shots(mediator, 'case-card-confirmed', card);
      await judge.goto(`${server.baseUrl}/cases/${sealed.caseId}`);
      await judge.locator('[data-testid=case-judicial] [data-testid=judicial-application][data-status=confirmed]').waitFor();
      assert.equal(await judge.getByTestId('case-judicial').getByTestId('judicial-start').count(), 0);

      // /verify: by code and by file it is a ruling sealed by the court; the agreement stays the committee's.
      const verify = await newPage('verify', phone);
      await verify.goto(`${server.baseUrl}/verify#c=${code}`);
      await verify.getByTestId('verify-by-code').click();
      await verify.locator('[data-testid=verify-result][data-status=authentic]').waitFor();
      assert.match((await verify.getByTestId('verify-result').textContent())!, new RegExp(COURT));
      assert.equal((await verify.getByTestId('verify-court').textContent())!.trim(), COURT);
      assert.equal(await verify.getByTestId('verify-sealed-by').getAttribute('data-sealed-by'), 'court');
      assert.match((await verify.getByTestId('verify-signers').textContent())!, /审判员\s*陈\*/);
      await verify.getByTestId('verify-file').setInputFiles(file);
      await verify.getByTestId('verify-by-file').click();
      await verify.getByText(`核验通过：这是${COURT}加盖电子印章的民事裁定书，与原件完全一致`).waitFor();
      assert.equal(await verify.getByTestId('verify-kind').getAttribute('data-kind'), 'ruling');
      await shots(verify, 'verify-ruling');
      await verify.getByTestId('verify-code').fill(sealed.verificationCode);
      await verify.getByTestId('verify-by-code').click();
      await verify.locator('[data-testid=verify-sealed-by][data-sealed-by=committee]').waitFor();
      assert.equal(await verify.getByTestId('verify-court').count(), 0);

      assert.deepEqual(errors, []);
      assert.deepEqual([...layout], []);
    } catch (e) {
      await onFailure(e);
    }
  });

  test('rejection: reasons are required, and the parties’ pages show the rejection with its reasons', async () => {
    try {
      const sealed = await sealedAgreement(server, clock, mediatorToken, [
        { side: 'applicant', name: '王五', phone: '13700000001' },
        { side: 'respondent', name: '赵六', phone: '13700000002' },
      ]);
      const { applicationId, tokens } = await appliedAndConfirmed(sealed);
      await syncClocks();
      const party = await newPage('rejected-party', phone);
      await party.goto(`${server.baseUrl}/judicial#t=${encodeURIComponent(tokens[0]!)}`);
      await party.locator('[data-testid=judicial-outcome][data-status=submitted]').waitFor();

      const judge = await staffPage('judge', 'judge1');
      await judge.goto(`${server.baseUrl}/court`);
      await judge.getByTestId('court-filter-open').click();
      await judge.locator(`[data-testid=court-queue-row][data-application-id="${applicationId}"]`).getByTestId('court-queue-open').click();
      await judge.locator('[data-testid=judicial-review][data-status=submitted]').waitFor();
      await judge.getByTestId('judicial-decide-rejected').check();
      await judge.getByTestId('judicial-decide-submit').click();
      assert.equal((await judge.getByTestId('judicial-reasons-error').textContent())!.trim(), '请填写驳回理由');
      assert.equal(await judge.getByTestId('judicial-decide-confirm').isVisible(), false, 'no confirmation without reasons');
      const reasons = '协议约定的履行内容涉及案外人权益，不符合司法确认条件。';
      await judge.getByTestId('judicial-reasons-input').fill(reasons);
      await judge.getByTestId('judicial-decide-submit').click();
      await judge.getByTestId('judicial-decide-confirm').getByTestId('confirm-ok').click();
      await judge.locator('[data-testid=judicial-decision][data-decision=rejected]').getByTestId('judicial-ruling-code').waitFor({ timeout: 30_000 });
      await shots(judge, 'court-review-rejected');

      await party.locator('[data-testid=judicial-outcome][data-status=rejected]').waitFor({ timeout: 15_000 });
      assert.match((await party.getByTestId('judicial-reasons').textContent())!, new RegExp(reasons));
      await shots(party, 'party-page-rejected');

      // Rejected: a new application is allowed within the period.
      const mediator = await staffPage('mediator', 'wang');
      await mediator.goto(`${server.baseUrl}/cases/${sealed.caseId}`);
      await mediator.locator('[data-testid=case-judicial][data-status=rejected]').waitFor();
      await mediator.getByTestId('case-judicial').getByTestId('judicial-start').waitFor();
      await shots(mediator, 'case-card-rejected', mediator.getByTestId('case-judicial'));
      assert.deepEqual(errors, []);
      assert.deepEqual([...layout], []);
    } catch (e) {
      await onFailure(e);
    }
  });

  test('an application after the statutory period is refused with the catalogue message', async () => {
    try {
      const sealed = await sealedAgreement(server, clock, mediatorToken, [
        { side: 'applicant', name: '孙七', phone: '13700000003' },
        { side: 'respondent', name: '周八', phone: '13700000004' },
      ]);
      await syncClocks();
      const mediator = await staffPage('mediator', 'wang');
      await mediator.goto(`${server.baseUrl}/cases/${sealed.caseId}`);
      const card = mediator.getByTestId('case-judicial');
      await card.getByTestId('judicial-start').waitFor();
      // The page stays open past the end of the period; then the mediator applies.
      clock.advance(31 * DAY);
      await syncClocks();
      await card.getByTestId('judicial-court-select').selectOption({ label: COURT });
      await card.getByTestId('judicial-start').click();
      await card.getByTestId('judicial-error').waitFor();
      assert.match((await card.getByTestId('judicial-error').textContent())!, /^已超过申请司法确认的法定期限/);
      const list = await server.api('GET', `/api/cases/${sealed.caseId}/judicial`, { token: mediatorToken });
      assert.equal(list.body.applications.length, 0);
      assert.equal(list.body.canApply, false);
      // Reloaded, the card says the period is over and offers no application.
      await mediator.reload();
      await card.getByTestId('judicial-deadline').waitFor();
      assert.match((await card.getByTestId('judicial-deadline').textContent())!, /已超过申请期限/);
      assert.equal(await card.getByTestId('judicial-start').count(), 0);
      await shots(mediator, 'case-card-period-over', card);
      assert.deepEqual(errors, []);
      assert.deepEqual([...layout], []);
    } catch (e) {
      await onFailure(e);
    }
  });

  test('staff page: a judge without a court unit is marked, and the admin puts them in a court', async () => {
    try {
      const admin = await newPage('admin', desktop);
      await login(admin, 'admin1');
      await admin.goto(`${server.baseUrl}/staff`);
      const placed = admin.locator('[data-testid=staff-row][data-username=judge1]');
      await placed.waitFor();
      assert.match((await placed.textContent())!, new RegExp(`法官.*${COURT}`));
      assert.equal(await placed.getByTestId('staff-judge-court').count(), 0);
      const unplaced = admin.locator('[data-testid=staff-row][data-username=judge2]');
      await unplaced.getByTestId('staff-judge-court').getByText('法官须属于一家人民法院').waitFor();
      await shots(admin, 'admin-staff-judge');
      await unplaced.getByTestId('staff-court-select').selectOption({ label: COURT });
      await unplaced.getByTestId('staff-court-set').click();
      await unplaced.getByTestId('staff-judge-court').waitFor({ state: 'detached' });
      assert.match((await unplaced.textContent())!, new RegExp(COURT));
      assert.deepEqual(errors, []);
      assert.deepEqual([...layout], []);
    } catch (e) {
      await onFailure(e);
    }
  });
});
