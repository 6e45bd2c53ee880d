import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { artifactFile, launchChromium, phoneViewport, screenshot } from '../helpers/browser.ts';
import { drawSignature as draw, partyJoins, smsCode, staffJoins } from '../helpers/agreementBrowser.ts';
import { lastSms } from '../helpers/smsOutbox.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';

/*
 * The agreement end to end: the mediator drafts in the live session, both parties see the text
 * update, the mediator freezes, each party signs on a phone-sized page (code read from the
 * development SMS outbox in the database, signature drawn with the mouse), the mediator signs,
 * the sealed PDF is produced and checked with pdftotext / pdfsig, and /verify confirms it.
 */
const run = promisify(execFile);
/*
 * Files the test reads back (PDFs it checks and uploads) live in a private folder: tests/artifacts
 * is shared with other runs of this test, which would overwrite them mid-run. Copies go to
 * tests/artifacts for people to look at.
 */
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-e2e-agreement-'));
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

describe('mediation agreement in the browser', () => {
  test('draft live in the session → freeze → parties sign on phones → mediator signs → sealed PDF → verified', async () => {
    const errors: string[] = [];
    const { token } = await server.login('wang');
    const created = await server.api('POST', '/api/cases', {
      token,
      body: {
        disputeType: 'labour',
        title: '工地欠薪纠纷',
        description: '申请人张三在被申请人李四承包的工地务工三个月，工资18000元未结清。',
        parties: [
          { side: 'applicant', name: '张三', phone: '13812345678' },
          { side: 'respondent', name: '李四', phone: '13987654321' },
        ],
      },
    });
    assert.equal(created.status, 201);
    const caseId = created.body.id as string;
    const [pa, pb] = created.body.parties as Array<{ id: string }>;
    const session = await server.api('POST', `/api/cases/${caseId}/sessions`, { token });
    const sessionId = session.body.id as string;
    const invA = await server.invite(token, sessionId, { role: 'party', partyId: pa!.id, displayName: '张三' });
    const invB = await server.invite(token, sessionId, { role: 'party', partyId: pb!.id, displayName: '李四' });

    // The mediator logs in and enters the room.
    const mctx = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
    const mediator = await mctx.newPage();
    mediator.on('pageerror', (e) => errors.push(`mediator: ${e.message}`));
    await staffJoins(mediator, server, 'wang', sessionId);

    // Both parties join from phones; the mediator admits them.
    const parties: Page[] = [];
    for (const inv of [invA, invB]) parties.push(await partyJoins(browser, inv.url, errors));
    const panel = mediator.getByTestId('agreement-panel');
    if (await panel.isVisible()) await panel.getByRole('button', { name: '收起' }).click();
    for (let i = 0; i < 2; i++) {
      const admitAll = mediator.getByTestId('admit-all');
      const admit = mediator.getByTestId('admit').first();
      if (await admitAll.isVisible().catch(() => false)) await admitAll.click();
      else if (await admit.isVisible({ timeout: 3000 }).catch(() => false)) await admit.click();
    }
    for (const p of parties)
      await p
        .getByTestId('lobby')
        .waitFor({ state: 'detached', timeout: 15_000 })
        .catch(() => undefined);

    // The mediator drafts from the template; both parties see it live.
    await mediator.getByTestId('agreement-open').click();
    await mediator.getByTestId('agreement-create').click();
    await mediator.getByTestId('agreement-clause-0').waitFor();
    for (const p of parties) {
      await p.getByTestId('agreement-open').click();
      await p.getByTestId('agreement-text').waitFor();
    }
    const clause1 = '被申请人李四于2026年12月31日前向申请人张三支付劳动报酬人民币18000元。';
    const clause2 = '双方就本劳动报酬纠纷再无其他争议。';
    await mediator.getByTestId('agreement-clause-0').fill(clause1);
    await mediator.getByTestId('agreement-clause-1').fill(clause2);
    await mediator.getByTestId('agreement-clause-2').fill('本协议一式三份，双方当事人及调解委员会各执一份。');
    await mediator.getByTestId('agreement-performance').fill('李四通过银行转账方式一次性支付至张三指定的银行账户。');
    await mediator.getByTestId('agreement-save').click();
    await mediator
      .getByText('已保存为第 2 版')
      .waitFor()
      .catch(async (e: unknown) => {
        await screenshot(mediator, 'agreement-debug-save');
        throw e;
      });
    for (const p of parties) {
      await p.getByTestId('clause-0').getByText(clause1).waitFor({ timeout: 10_000 });
      assert.equal(await p.getByTestId('agreement-text').getAttribute('data-revision'), '2');
    }
    await screenshot(mediator, 'agreement-01-mediator-drafting');
    await screenshot(parties[1]!, 'agreement-02-party-live-view');

    // A party comments on a clause; the mediator sees it.
    await parties[1]!.getByTestId('clause-0').getByRole('button', { name: '对此条提意见' }).click();
    await parties[1]!.getByTestId('clause-0').locator('input').fill('希望能分两期支付。');
    await parties[1]!.getByTestId('clause-0').getByRole('button', { name: '发送' }).click();
    await mediator.getByTestId('clause-comment').getByText('希望能分两期支付。').waitFor();

    // Freeze (confirmed over the final text): everyone sees the same revision and check code.
    await mediator.getByTestId('agreement-freeze').click();
    await mediator.getByTestId('freeze-dialog').getByTestId('freeze-confirm').click();
    await mediator.locator('[data-testid=agreement-status][data-status=signing]').waitFor();
    const fp = (await mediator.getByTestId('agreement-check').textContent())!.trim();
    assert.match(fp, /^[0-9A-HJKMNP-TV-Z]{6}$/);
    for (const p of parties) {
      await p.locator('[data-testid=agreement-status][data-status=signing]').waitFor();
      assert.equal((await p.getByTestId('agreement-check').textContent())!.trim(), fp);
    }

    // Each party signs on a phone-sized page (from within their invitation: /sign#t=<token>).
    // The first stays open: it follows the agreement live (the other signature, the seal).
    const phones = ['13812345678', '13987654321'];
    let firstSign: Page | undefined;
    const signContexts: Array<{ close(): Promise<void> }> = [];
    for (const [i, inv] of [invA, invB].entries()) {
      const ctx = await browser.newContext({ ...phoneViewport, locale: 'zh-CN' });
      const sign = await ctx.newPage();
      sign.on('pageerror', (e) => errors.push(`sign: ${e.message}`));
      await sign.goto(`${server.baseUrl}/sign#t=${inv.token}`);
      await sign.getByTestId('sign-form').waitFor();
      // As on /join: the token leaves the address bar and is kept for this tab only.
      assert.equal(new URL(sign.url()).hash, '', 'token removed from the address bar');
      assert.equal(await sign.evaluate(() => sessionStorage.getItem('cm.signingToken')), inv.token);
      if (i === 0) {
        await sign.reload();
        await sign.getByTestId('sign-form').waitFor();
      }
      assert.equal((await sign.getByTestId('agreement-check').textContent())!.trim(), fp);
      await sign.getByTestId('sign-consent').check();
      await sign.getByTestId('sign-send-code').click();
      await sign.getByTestId('sign-code-sent').waitFor();
      await sign.getByTestId('sign-code').fill(smsCode(await lastSms(server.testDb, phones[i]!)));
      await draw(sign, i);
      await screenshot(sign, `agreement-0${3 + i}-party-${i === 0 ? 'applicant' : 'respondent'}-signing`);
      await sign.getByTestId('sign-submit').click();
      await sign
        .getByTestId('sign-done')
        .waitFor({ timeout: 10_000 })
        .catch(async (e: unknown) => {
          await screenshot(sign, 'agreement-debug-sign');
          throw new Error(
            `${(e as Error).message}; page says: ${await sign
              .getByTestId('sign-message')
              .textContent()
              .catch(() => '(nothing)')}`,
          );
        });
      if (i === 0) await screenshot(sign, 'agreement-05-party-signed');
      if (i === 0) {
        firstSign = sign;
        signContexts.push(ctx);
      } else await ctx.close();
    }

    // The mediator signs last (parties first); the agreement is sealed.
    const staffSign = mediator.getByTestId('staff-sign-mediator');
    await staffSign.waitFor();
    await staffSign.getByTestId('staff-consent').check();
    await draw(mediator, 5);
    await staffSign.getByTestId('staff-sign-submit').click();
    await mediator.getByTestId('agreement-sealed').waitFor({ timeout: 30_000 });
    const code = (await mediator.getByTestId('verification-code').textContent())!.trim();
    for (const p of parties) await p.getByTestId('agreement-sealed').waitFor({ timeout: 10_000 });
    await screenshot(mediator, 'agreement-06-mediator-sealed');
    // The applicant's signing page, open all along and never reloaded, now offers the sealed PDF.
    await firstSign!.getByTestId('sign-complete').waitFor({ timeout: 10_000 });
    await screenshot(firstSign!, 'agreement-06b-signing-page-sealed-live');
    for (const ctx of signContexts) await ctx.close();

    // The PDF: parties' names and clauses in the text, seal valid.
    const list = await server.api('GET', `/api/cases/${caseId}/agreements`, { token });
    const agreementId = list.body[0].id as string;
    const res = await fetch(`${server.baseUrl}/api/agreements/${agreementId}/document`, { headers: { authorization: `Bearer ${invA.token}` } });
    assert.equal(res.status, 200);
    const pdf = Buffer.from(await res.arrayBuffer());
    const file = path.join(work, 'agreement-e2e.pdf');
    writeFileSync(file, pdf);
    copyFileSync(file, artifactFile('agreement-e2e.pdf'));
    const { stdout: text } = await run('pdftotext', [file, '-']);
    const flat = text.replace(/\s+/g, '');
    for (const s of ['张三', '李四', '王调解员', clause1, clause2, code]) assert.ok(flat.includes(s.replace(/\s+/g, '')), `pdftotext finds ${s}`);
    const { stdout: sig } = await run('pdfsig', ['-nocert', file]);
    assert.match(sig, /Signature is Valid\./);
    assert.match(sig, /Total document signed/);
    await run('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, artifactFile('agreement-e2e-page')]);

    // The staff case page lists the agreement: 已盖章, fingerprint, signers with times, code, PDF, /verify link.
    await mediator.goto(`${server.baseUrl}/cases/${caseId}`);
    const card = mediator.getByTestId('case-agreement');
    await card.locator('[data-testid=case-agreement-item][data-status=sealed]').waitFor();
    assert.equal((await card.getByTestId('case-agreement-status').textContent())!.trim(), '已盖章');
    assert.equal((await card.getByTestId('case-agreement-fingerprint').textContent())!.trim(), list.body[0].frozen.fingerprint);
    assert.equal((await card.getByTestId('case-agreement-code').textContent())!.trim(), code);
    const signerRows = card.getByTestId('case-agreement-signers').locator('li');
    assert.equal(await signerRows.count(), 3);
    for (const row of await signerRows.all()) assert.match((await row.textContent())!, /\d{2}:\d{2}:\d{2} 签署.*已签署/);
    assert.equal(await card.getByTestId('case-agreement-verify').getAttribute('href'), `/verify#c=${code}`);
    const [download] = await Promise.all([mediator.waitForEvent('download'), card.getByTestId('case-agreement-download').click()]);
    assert.equal(download.suggestedFilename(), `人民调解协议书-${created.body.caseNumber}.pdf`);
    const downloaded = path.join(work, 'agreement-e2e-staff-download.pdf');
    await download.saveAs(downloaded);
    assert.ok(readFileSync(downloaded).equals(pdf), 'the staff download is the sealed PDF');
    // The mediator registered the case at the window (taken on at once) and held the session, so the
    // case is in mediation and the sealed agreement closes it.
    await card.getByTestId('case-agreement-settle').waitFor();
    await screenshot(mediator, 'agreement-09-case-page-sealed');
    await card.getByTestId('case-agreement-settle').click();
    await card.getByTestId('case-agreement-settled').waitFor();
    assert.equal(await card.getByTestId('case-agreement-settle').count(), 0);
    assert.equal((await server.api('GET', `/api/cases/${caseId}`, { token })).body.state, 'closed_settled');
    await screenshot(mediator, 'agreement-10-case-page-settled');

    // The public verification page confirms it, by code and by file.
    const vctx = await browser.newContext({ ...phoneViewport, locale: 'zh-CN' });
    const verify = await vctx.newPage();
    await verify.goto(`${server.baseUrl}/verify#c=${code}`);
    await verify.getByTestId('verify-by-code').click();
    await verify.locator('[data-testid=verify-result][data-status=authentic]').waitFor();
    assert.match((await verify.getByTestId('verify-signers').textContent())!, /张\*/);
    assert.doesNotMatch(await verify.content(), /张三/);
    await verify.getByTestId('verify-file').setInputFiles(file);
    await verify.getByTestId('verify-by-file').click({ timeout: 5000 });
    await verify.getByText('核验通过：与盖章原件完全一致').waitFor();
    await screenshot(verify, 'agreement-07-verify');
    const altered = Buffer.from(pdf);
    altered[altered.indexOf('/Producer') + 12]! ^= 1;
    const alteredFile = path.join(work, 'agreement-e2e-altered.pdf');
    writeFileSync(alteredFile, altered);
    copyFileSync(alteredFile, artifactFile('agreement-e2e-altered.pdf'));
    await verify.getByTestId('verify-file').setInputFiles(alteredFile);
    await verify.getByTestId('verify-by-file').click();
    await verify.locator('[data-testid=verify-result][data-status=altered]').waitFor();
    await screenshot(verify, 'agreement-08-verify-altered');

    assert.deepEqual(errors, []);
  });
});
