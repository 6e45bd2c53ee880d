import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../helpers/browser.ts';
import { drawSignature, partyJoins, smsCode, staffJoins } from '../helpers/agreementBrowser.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';

/*
 * The mediation record (调解笔录) in the room, in Chromium: the mediator writes it live in the
 * side panel (autosaved; joins and leaves appear by themselves), puts it to its signatories; the
 * applicant confirms on a phone with the code and a drawn signature, the respondent objects on a
 * phone, the labour bureau's official who joined signs by invitation (no code: it carries no
 * phone), the mediator signs with the staff login (consent and a drawn signature); only then is it
 * sealed; pdfsig, pdftotext and /verify show every signatory; the case page shows it.
 */
const run = promisify(execFile);
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-record-'));
const SHOTS = process.env.SHOTS_DIR ?? '/tmp/record-shots';
const PHONE_A = '13812345678';
const PHONE_B = '13987654321';
let server: FullServer;
let browser: Browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  server = await startFullServer();
  await server.createUser('wang', 'mediator', { displayName: '王调解员' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
/** The language toggle may sit under the panel; a click event is enough to switch. */
const toggleLanguage = (page: Page) => page.locator('.lang-toggle').first().dispatchEvent('click');

describe('the mediation record in the room', () => {
  test('written live by the mediator → confirmed on one phone, objected to on the other, signed by the mediator → sealed, verified, on the case page', async () => {
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
    const invB = await server.invite(token, sessionId, { role: 'party', partyId: pb!.id, displayName: '李四' });
    const invO = await server.invite(token, sessionId, { role: 'official', displayName: '赵科长', department: '区人社局' });

    const mctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const mediator = await mctx.newPage();
    mediator.on('pageerror', (e) => errors.push(`mediator: ${e.message}`));
    await staffJoins(mediator, server, 'wang', sessionId);
    const partyA = await partyJoins(browser, invA.url, errors);
    const partyB = await partyJoins(browser, invB.url, errors);
    const officialPage = await partyJoins(browser, invO.url, errors);
    await mediator.getByTestId('admit-all').click();
    await partyA.getByTestId('lobby').waitFor({ state: 'detached' });
    await partyB.getByTestId('lobby').waitFor({ state: 'detached' });
    await officialPage.getByTestId('lobby').waitFor({ state: 'detached' });

    // The mediator starts the record in the side panel and writes; joins are there already.
    await mediator.getByTestId('record-open').click();
    await mediator.getByTestId('record-create').click();
    const editor = mediator.getByTestId('record-editor');
    await editor.waitFor();
    await editor.locator('[data-testid=record-event][data-kind=joined]').nth(2).waitFor();
    await editor.getByTestId('record-location').first().fill('北京市朝阳区');
    await editor.getByTestId('record-said').fill('工资一万八千元至今未付，请求一次性付清。');
    await editor.getByTestId('record-add-statement').click();
    await editor.getByTestId('record-speaker-role').selectOption('respondent');
    await editor.getByTestId('record-speaker').fill('李四');
    await editor.getByTestId('record-said').fill('工程款尚未结算，愿意分两期支付。');
    await editor.getByTestId('record-add-statement').click();
    await editor.getByTestId('record-proposal').fill('被申请人分两期支付工资 18000 元。');
    await editor.getByTestId('record-outcome').fill('申请人同意分期，双方达成一致。');
    await mediator.locator('[data-testid=record-save-state][data-state=saved]').waitFor();
    // Autosaved as revisions on the server.
    const saved = await server.api('GET', `/api/sessions/${sessionId}/record`, { token });
    assert.ok(saved.body.revision.number >= 2, `revision ${saved.body.revision.number}`);
    assert.equal(saved.body.revision.content.outcome, '申请人同意分期，双方达成一致。');
    assert.equal(saved.body.revision.content.statements.length, 2);
    await shot(mediator, 'record-01-panel-desktop-zh');
    await toggleLanguage(mediator);
    await editor.getByText('Course of the mediation').waitFor();
    await shot(mediator, 'record-01-panel-desktop-en');
    await toggleLanguage(mediator);

    await mediator.getByTestId('record-freeze').click();
    await mediator.locator('[data-testid=record-status]', { hasText: '待各方确认' }).waitFor();

    // The applicant confirms on the phone: consent, code, drawn signature.
    await partyA.getByTestId('record-open').click();
    const panelA = partyA.getByTestId('record-panel');
    await panelA.getByTestId('record-text').waitFor();
    assert.ok((await panelA.getByTestId('record-text').textContent())!.includes('工资一万八千元至今未付'));
    await shot(partyA, 'record-02-party-read-phone-zh');
    await toggleLanguage(partyA);
    await panelA.getByText('Course of the mediation').waitFor();
    await shot(partyA, 'record-02-party-read-phone-en');
    await toggleLanguage(partyA);
    await panelA.getByTestId('sign-form').scrollIntoViewIfNeeded();
    await shot(partyA, 'record-03-signing-phone-zh');
    await toggleLanguage(partyA);
    await panelA.getByText('Confirm and sign').waitFor();
    await shot(partyA, 'record-03-signing-phone-en');
    // The same step on a desktop screen (a party may join from a computer).
    await partyA.setViewportSize({ width: 1280, height: 800 });
    await panelA.getByTestId('sign-form').scrollIntoViewIfNeeded();
    await shot(partyA, 'record-03-signing-desktop-en');
    await toggleLanguage(partyA);
    await panelA.getByText('确认笔录并签名').waitFor();
    await shot(partyA, 'record-03-signing-desktop-zh');
    await partyA.setViewportSize({ width: 390, height: 844 });
    await panelA.getByTestId('sign-consent').check();
    await panelA.getByTestId('sign-send-code').click();
    await panelA.getByTestId('sign-code-sent').waitFor();
    const sms = await lastSms(server.testDb, PHONE_A);
    assert.match(sms, /调解笔录/);
    await panelA.getByTestId('sign-code').fill(smsCode(sms));
    await drawSignature(partyA, 3);
    await panelA.getByTestId('sign-submit').click();
    await panelA.getByTestId('record-confirm-done').waitFor();

    // The respondent objects on the phone; the objection is kept; the mediator has not signed: not sealed yet.
    await partyB.getByTestId('record-open').click();
    const panelB = partyB.getByTestId('record-panel');
    await panelB.getByTestId('record-object-open').click();
    await panelB.getByTestId('record-objection-text').fill('笔录未记载我方提出的工程款结算问题。');
    await shot(partyB, 'record-04-objection-phone-zh');
    await panelB.getByTestId('record-objection-submit').click();
    await panelB.getByTestId('record-object-done').waitFor();
    assert.ok((await panelB.getByTestId('record-objection').textContent())!.includes('工程款结算问题'));
    await panelB.locator('[data-testid=record-confirmer][data-role=mediator][data-status=pending]').waitFor();
    assert.equal((await server.api('GET', `/api/sessions/${sessionId}/record`, { token })).body.status, 'confirming');
    await panelB.getByTestId('record-confirmers').scrollIntoViewIfNeeded();
    await shot(partyB, 'record-05-signatories-phone-zh');
    await toggleLanguage(partyB);
    await panelB.getByText('2 of 4 have answered').waitFor();
    await shot(partyB, 'record-05-signatories-phone-en');
    await toggleLanguage(partyB);

    // The official confirms on their own screen: consent and a drawn signature, no code; they could object.
    await officialPage.getByTestId('record-open').click();
    const panelO = officialPage.getByTestId('record-panel');
    await panelO.locator('[data-testid=record-sign-intro][data-method=invitation]').waitFor();
    assert.equal(await panelO.getByTestId('sign-code').count(), 0, 'no code: the invitation carries no phone');
    await panelO.getByTestId('record-object-open').waitFor();
    await panelO.getByTestId('sign-form').scrollIntoViewIfNeeded();
    await shot(officialPage, 'record-05-official-signing-phone-zh');
    await toggleLanguage(officialPage);
    await panelO.locator('[data-testid=record-confirmer][data-role=official]', { hasText: 'Department official' }).waitFor();
    await shot(officialPage, 'record-05-official-signing-phone-en');
    await toggleLanguage(officialPage);
    await panelO.getByTestId('sign-consent').check();
    await drawSignature(officialPage, 4);
    await panelO.getByTestId('sign-submit').click();
    await panelO.getByTestId('record-confirm-done').waitFor();

    // The mediator signs in the panel: consent and a drawn signature under the staff login; no code, no objection.
    const panelM = mediator.getByTestId('record-panel');
    await panelM.locator('[data-testid=record-sign-intro][data-method=staff_login]').waitFor();
    assert.equal(await panelM.getByTestId('sign-code').count(), 0, 'no code step for staff');
    assert.equal(await panelM.getByTestId('record-object-open').count(), 0, 'the mediator does not object to what they wrote');
    await panelM.getByText('已答复 3 / 4 人').waitFor();
    assert.deepEqual(
      await panelM
        .locator('[data-testid=record-confirmer]')
        .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-role')}:${e.getAttribute('data-status')}`)),
      ['applicant:confirmed', 'respondent:objected', 'official:confirmed', 'mediator:pending'],
    );
    await mediator.setViewportSize({ width: 1366, height: 900 });
    await panelM.getByTestId('record-confirmers').scrollIntoViewIfNeeded();
    await shot(mediator, 'record-05-signatories-desktop-zh');
    await panelM.getByTestId('sign-form').scrollIntoViewIfNeeded();
    await shot(mediator, 'record-06-staff-signing-desktop-zh');
    await toggleLanguage(mediator);
    await panelM.getByText('signed with your staff login', { exact: false }).waitFor();
    await shot(mediator, 'record-06-staff-signing-desktop-en');
    await panelM.getByTestId('record-confirmers').scrollIntoViewIfNeeded();
    await shot(mediator, 'record-05-signatories-desktop-en');
    await mediator.setViewportSize({ width: 390, height: 844 });
    await panelM.getByTestId('sign-form').scrollIntoViewIfNeeded();
    await shot(mediator, 'record-06-staff-signing-phone-en');
    await toggleLanguage(mediator);
    await panelM.getByText('以您的工作人员账号签署', { exact: false }).waitFor();
    await shot(mediator, 'record-06-staff-signing-phone-zh');
    await mediator.setViewportSize({ width: 1280, height: 800 });
    await panelM.getByTestId('sign-consent').check();
    await drawSignature(mediator, 5);
    await panelM.getByTestId('sign-submit').click();

    // Every signatory answered: sealed, on every screen.
    await panelB.getByTestId('record-sealed').waitFor();
    await shot(partyB, 'record-07-sealed-phone-zh');
    await mediator.getByTestId('record-sealed').waitFor();
    const code = (await mediator.getByTestId('record-verification-code').textContent())!.trim();
    const number = (await mediator.getByTestId('record-number').textContent())!.trim();
    await shot(mediator, 'record-07-sealed-desktop-zh');

    // The PDF: sealed (pdfsig), the text written, the events and the objection printed.
    const view = (await server.api('GET', `/api/sessions/${sessionId}/record`, { token })).body;
    const res = await fetch(`${server.baseUrl}/api/records/${view.id}/document`, { headers: { authorization: `Bearer ${token}` } });
    const pdf = Buffer.from(await res.arrayBuffer());
    assert.equal(createHash('sha256').update(pdf).digest('hex'), view.document.sha256);
    const file = path.join(work, 'record.pdf');
    writeFileSync(file, pdf);
    const { stdout: sig } = await run('pdfsig', ['-nocert', file]);
    assert.match(sig, /Signature is Valid\./);
    assert.match(sig, /Total document signed/);
    const flat = (await run('pdftotext', ['-layout', file, '-'])).stdout.replace(/\s+/g, '');
    for (const s of [
      '调解笔录',
      number,
      '北京市朝阳区',
      '工资一万八千元至今未付',
      '工程款尚未结算',
      '张三进入调解室',
      '笔录未记载我方提出的工程款结算问题',
      '确认记录属实',
      '申请人张三：已阅读本笔录，确认记录属实',
      '被申请人李四：对本笔录提出异议',
      '部门工作人员赵科长（区人社局）：已阅读本笔录，确认记录属实',
      '人民调解员王调解员：已阅读本笔录，确认记录属实',
      '短信验证码+手写签名',
      '工作人员账号登录+手写签名',
      '人民调解员（签名）',
      code,
    ]) {
      assert.ok(flat.includes(s), `pdftotext finds ${s}`);
    }

    // /verify in the browser, by code.
    const vpage = await mctx.newPage();
    await vpage.goto(`${server.baseUrl}/verify#c=${encodeURIComponent(code)}`);
    await vpage.getByTestId('verify-by-code').click();
    await vpage.locator('[data-testid=verify-result][data-status=authentic]').waitFor();
    assert.equal((await vpage.getByTestId('verify-number').textContent())!.trim(), number);
    const signers = await vpage.getByTestId('verify-signers').locator('li').allTextContents();
    assert.equal(signers.length, 4, signers.join(' | '));
    for (const [i, words] of [
      ['申请人', '短信验证码 + 手写签名'],
      ['被申请人', '书面异议'],
      ['部门工作人员', '邀请链接'],
      ['人民调解员', '工作人员账号 + 手写签名'],
    ].entries())
      for (const w of words) assert.ok(signers[i]!.includes(w), `${signers[i]} has ${w}`);
    await shot(vpage, 'record-08-verify-desktop-zh');

    // The case page: the record card beside the agreement card.
    await mediator.goto(`${server.baseUrl}/cases/${caseId}`);
    await mediator.locator('[data-testid=case-record-item][data-status=sealed]').waitFor();
    await mediator.getByTestId('case-agreement').waitFor();
    await mediator.getByTestId('case-record').scrollIntoViewIfNeeded();
    await shot(mediator, 'record-09-case-page-desktop-zh');
    assert.deepEqual(errors, []);
  });
});
