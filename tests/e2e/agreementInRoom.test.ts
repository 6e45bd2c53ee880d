import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, phoneViewport, screenshot } from '../helpers/browser.ts';
import { drawSignature as draw, partyJoins, smsCode as codeIn, staffJoins } from '../helpers/agreementBrowser.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { inboundSummary, waitForRemoteMedia } from '../helpers/roomStats.ts';
import { until } from '../helpers/wait.ts';
import { scribblePng } from '../unit/agreement/fixtures.ts';

/*
 * The agreement inside the call: the mediator fills the template's typed fields (the freeze
 * confirmation names the blanks while any is empty, then shows the final text), the party in the
 * call signs in a sheet over the call on their phone while the call goes on, the party not in
 * the call gets a link; once sealed, the sheet and the /sign page say so first and offer the PDF,
 * which prints the filled values.
 */
const run = promisify(execFile);
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-agreement-room-'));
const PHONE_A = '13812345678';
const PHONE_B = '13987654321';
let server: FullServer;
let browser: Browser;

before(async () => {
  server = await startFullServer();
  await server.createUser('wang', 'mediator', { displayName: '王调解员' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

const png = (seed: number) => `data:image/png;base64,${scribblePng(seed, 300, 100).toString('base64')}`;

/** The language toggle may sit under the agreement panel; a click event is enough to switch. */
const toggleLanguage = (page: Page) => page.locator('.lang-toggle').first().dispatchEvent('click');

async function framesDecoded(page: Page): Promise<number> {
  return (await inboundSummary(page)).videoFramesDecoded;
}

describe('the agreement inside the call', () => {
  test('typed fields → freeze names the blanks, then confirms the final text → the party signs in a sheet over the call (still decoding) → sealed: done and download first', async () => {
    const errors: string[] = [];
    const { token } = await server.login('wang');
    const created = await server.api('POST', '/api/cases', {
      token,
      body: {
        disputeType: 'labour',
        title: '工地欠薪纠纷',
        description: '申请人张三在被申请人李四承包的工地务工三个月，工资未结清。',
        parties: [
          { side: 'applicant', name: '张三', phone: PHONE_A },
          { side: 'respondent', name: '李四', phone: PHONE_B },
        ],
      },
    });
    assert.equal(created.status, 201);
    const caseId = created.body.id as string;
    const [pa, pb] = created.body.parties as Array<{ id: string }>;
    const sessionId = (await server.api('POST', `/api/cases/${caseId}/sessions`, { token })).body.id as string;
    const invA = await server.invite(token, sessionId, { role: 'party', partyId: pa!.id, displayName: '张三' });

    // The mediator (desktop) and the applicant (phone) are in the call; the respondent is not.
    const mctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const mediator = await mctx.newPage();
    mediator.on('pageerror', (e) => errors.push(`mediator: ${e.message}`));
    await staffJoins(mediator, server, 'wang', sessionId);
    const party = await partyJoins(browser, invA.url, errors);
    await party.getByTestId('lobby').waitFor();
    await mediator.getByTestId('admit').click();
    await party.getByTestId('lobby').waitFor({ state: 'detached' });
    assert.ok((await waitForRemoteMedia(party)).videoFramesDecoded > 0, 'the party decodes the mediator');

    // Drafting: the template's blanks are typed inputs, empty ones marked.
    await mediator
      .getByTestId('agreement-open')
      .click()
      .catch(async (e: unknown) => {
        await screenshot(mediator, 'agreement-fields-debug-no-open');
        throw new Error(`${(e as Error).message}; room state ${await mediator.evaluate(() => document.body.dataset.roomState)}`);
      });
    await mediator.getByTestId('agreement-create').click();
    const fields = mediator.getByTestId('agreement-fields');
    await fields.waitFor();
    assert.equal(await mediator.getByTestId('agreement-field-payDate').getAttribute('type'), 'date');
    assert.equal(await mediator.getByTestId('agreement-field-wageAmount').getAttribute('type'), 'number');
    assert.equal(await mediator.getByTestId('agreement-field-payDate').getAttribute('data-blank'), 'true');
    assert.match(await mediator.getByTestId('agreement-performance').inputValue(), /于【付清日期】前一次性付清/);
    await screenshot(mediator, 'agreement-fields-01-drafting-zh');

    // Freezing with blanks: the confirmation names them, marks them in the text, and offers no freeze.
    await mediator.getByTestId('agreement-freeze').click();
    const dialog = mediator.getByTestId('freeze-dialog');
    await dialog.waitFor();
    const blanks = (await dialog.getByTestId('freeze-blanks').textContent())!;
    assert.match(blanks, /拖欠劳动报酬金额/);
    assert.match(blanks, /付清日期/);
    assert.equal(await dialog.getByTestId('freeze-confirm').count(), 0);
    assert.ok(await dialog.locator('[data-blank-field=payDate]').first().isVisible());
    await screenshot(mediator, 'agreement-fields-02-freeze-blanks-zh');
    await toggleLanguage(mediator);
    await dialog.getByText('still blank').waitFor();
    await screenshot(mediator, 'agreement-fields-02-freeze-blanks-en');
    await dialog.getByTestId('freeze-back').click();
    await screenshot(mediator, 'agreement-fields-01-drafting-en');
    await toggleLanguage(mediator);

    // Filled: the confirmation shows the final text; then it is frozen.
    await mediator.getByTestId('agreement-field-wageAmount').fill('18000');
    await mediator.getByTestId('agreement-field-payDate').fill('2026-12-31');
    assert.equal(await mediator.getByTestId('agreement-field-payDate').getAttribute('data-blank'), null);
    await mediator.getByTestId('agreement-save').click();
    await mediator.getByText('已保存为第 2 版').waitFor();
    await mediator.getByTestId('agreement-freeze').click();
    await dialog.waitFor();
    const finalText = (await dialog.getByTestId('agreement-text').textContent())!;
    assert.ok(finalText.includes('人民币18,000元') && finalText.includes('于2026年12月31日前一次性付清'), finalText);
    assert.ok(!/_{2,}|【/.test(finalText), 'no blanks in the final text');
    await screenshot(mediator, 'agreement-fields-03-freeze-confirm-zh');
    await dialog.getByTestId('freeze-confirm').click();
    await mediator.locator('[data-testid=agreement-status][data-status=signing]').waitFor();
    const check = (await mediator.getByTestId('agreement-check').textContent())!.trim();
    assert.match(check, /^[0-9A-HJKMNP-TV-Z]{6}$/);

    // Signing links: only the party not in the call needs one.
    await mediator.getByTestId('agreement-links').click();
    await mediator.getByTestId(`signing-in-call-${pa!.id}`).waitFor();
    const linkB = (await mediator.getByTestId(`signing-link-${pb!.id}`).textContent())!;
    assert.equal(await mediator.getByTestId(`signing-in-call-${pb!.id}`).count(), 0);
    await screenshot(mediator, 'agreement-fields-04-links-zh');

    // The party signs inside the room: a sheet over the call.
    await party.getByTestId('agreement-open').click();
    await party.getByTestId('agreement-go-sign').click();
    const sheet = party.getByTestId('signing-sheet');
    await sheet.getByTestId('sign-form').waitFor();
    assert.equal((await sheet.getByTestId('agreement-check').textContent())!.trim(), check);
    assert.match((await sheet.getByTestId('sign-check-hint').textContent())!, new RegExp(`第 2 版.*${check}`));
    assert.equal(new URL(party.url()).pathname, '/join', 'still on the call page');
    assert.ok((await sheet.boundingBox())!.y > 150, 'the call stays in sight above the sheet');
    await screenshot(party, 'agreement-room-01-sheet-zh');
    // Back to the call and again, in English.
    await sheet.getByTestId('signing-sheet-close').click();
    await sheet.waitFor({ state: 'detached' });
    assert.equal(await party.getByTestId('agreement-panel').count(), 0, 'back to the call itself');
    await toggleLanguage(party);
    await party.getByTestId('agreement-open').click();
    await party.getByTestId('agreement-go-sign').click();
    await sheet.getByTestId('sign-form').waitFor();
    await screenshot(party, 'agreement-room-01-sheet-en');
    await sheet.getByTestId('signing-sheet-close').click();
    await toggleLanguage(party);
    await party.getByTestId('agreement-open').click();
    await party.getByTestId('agreement-go-sign').click();

    const before = await framesDecoded(party);
    await sheet.getByTestId('sign-consent').check();
    await sheet.getByTestId('sign-send-code').click();
    await sheet.getByTestId('sign-code-sent').waitFor();
    const sms = await lastSms(server.testDb, PHONE_A);
    assert.ok(sms.includes(`第2版，核对码${check}`), sms);
    await sheet.getByTestId('sign-code').fill(codeIn(sms));
    await draw(party, 1);
    await sheet.getByTestId('sign-submit').click();
    await sheet
      .getByTestId('sign-done')
      .waitFor({ timeout: 10_000 })
      .catch(async (e: unknown) => {
        await screenshot(party, 'agreement-room-debug-sign');
        throw new Error(
          `${(e as Error).message}; the sheet says: ${await sheet
            .getByTestId('sign-message')
            .textContent()
            .catch(() => '(nothing)')}`,
        );
      });
    const doneBox = (await sheet.getByTestId('sign-done').boundingBox())!;
    assert.ok(doneBox.y >= 0 && doneBox.y + doneBox.height < 844, 'the party sees that they signed');
    await screenshot(party, 'agreement-room-02-signed-zh');
    // The call went on under the sheet.
    assert.equal(await party.evaluate(() => document.body.dataset.roomState), 'joined');
    let now = before;
    await until(
      async () => (now = await framesDecoded(party)) > before,
      () => `the party's video decoding beyond ${before} frames (now ${now})`,
      15_000,
    );

    // The respondent signs with the link (not in the call), the mediator last: sealed.
    const tokenB = decodeURIComponent(/#t=(.+)$/.exec(linkB)![1]!);
    const frozenHash = (await server.api('GET', '/api/signing', { token: tokenB })).body.agreement.frozen.hash as string;
    assert.equal((await server.api('POST', '/api/signing/otp', { token: tokenB, body: { partyId: pb!.id, revisionHash: frozenHash } })).status, 200);
    const signB = await server.api('POST', '/api/signing/sign', {
      token: tokenB,
      body: {
        partyId: pb!.id,
        revisionHash: frozenHash,
        consent: true,
        consentLang: 'zh-CN',
        code: codeIn(await lastSms(server.testDb, PHONE_B)),
        signaturePng: png(2),
      },
    });
    assert.equal(signB.status, 200, JSON.stringify(signB.body));
    const agreementId = signB.body.id as string;
    const sealed = await server.api('POST', `/api/agreements/${agreementId}/sign`, {
      token,
      body: { as: 'mediator', revisionHash: frozenHash, consent: true, consentLang: 'zh-CN', signaturePng: png(3) },
    });
    assert.equal(sealed.body.status, 'sealed');

    // The sheet says so first and offers the PDF; the call still runs.
    const complete = sheet.getByTestId('sign-complete');
    await complete.waitFor({ timeout: 15_000 });
    const top = (await complete.boundingBox())!;
    assert.ok(top.y < (await sheet.getByTestId('agreement-text').boundingBox())!.y, 'done comes before the text');
    assert.ok(top.y >= 0 && top.y + top.height < 844, `done and download are in view: ${JSON.stringify(top)}`);
    await screenshot(party, 'agreement-room-03-sealed-zh');
    const [download] = await Promise.all([party.waitForEvent('download'), complete.getByTestId('sign-download').click()]);
    const file = path.join(work, 'in-room.pdf');
    await download.saveAs(file);
    const { stdout } = await run('pdftotext', [file, '-']);
    const flat = stdout.replace(/\s+/g, '');
    assert.ok(flat.includes('人民币18,000元') && flat.includes('于2026年12月31日前一次性付清'), 'the PDF prints the filled values');
    assert.ok(!/_{2,}/.test(stdout), 'no underscores in the PDF');
    const afterSeal = await framesDecoded(party);
    await until(
      async () => (now = await framesDecoded(party)) > afterSeal,
      () => `video still decoding after sealing (${afterSeal} → ${now})`,
      15_000,
    );

    // The respondent's signing page: done and the download first (phone zh / en, desktop).
    const shots: Array<[string, Parameters<Browser['newContext']>[0], boolean]> = [
      ['agreement-sign-sealed-phone-zh', { ...phoneViewport, locale: 'zh-CN' }, false],
      ['agreement-sign-sealed-phone-en', { ...phoneViewport, locale: 'en' }, true],
      ['agreement-sign-sealed-desktop-zh', { viewport: { width: 1440, height: 900 }, locale: 'zh-CN' }, false],
    ];
    for (const [name, options, english] of shots) {
      const ctx = await browser.newContext(options);
      const page = await ctx.newPage();
      page.on('pageerror', (e) => errors.push(`sign page: ${e.message}`));
      await page.goto(`${server.baseUrl}/sign#t=${encodeURIComponent(tokenB)}`);
      const done = page.getByTestId('sign-complete');
      await done.waitFor();
      if (english) {
        await page.locator('.lang-toggle').click();
        await done.getByText('Download').waitFor();
      }
      const box = (await done.boundingBox())!;
      assert.ok(
        box.y >= 0 && box.y < (await page.getByTestId('agreement-text').boundingBox())!.y && box.y + box.height <= options!.viewport!.height,
        `${name}: done and download on top`,
      );
      await screenshot(page, name);
      if (name.endsWith('phone-zh')) {
        const [dl] = await Promise.all([page.waitForEvent('download'), done.getByTestId('sign-download').click()]);
        const fileB = path.join(work, 'respondent.pdf');
        await dl.saveAs(fileB);
        const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
        assert.equal(sha(fileB), sha(file), 'every signer downloads the same sealed copy');
      }
      await ctx.close();
    }
    assert.deepEqual(errors, []);
  });
});
