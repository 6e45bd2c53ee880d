import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { collectCspViolations, launchChromium, phoneViewport, screenshot } from '../helpers/browser.ts';
import { startFullServer, TEST_PASSWORD, type FullServer } from '../helpers/fullServer.ts';
import { waitForRemoteMedia } from '../helpers/roomStats.ts';
import { until } from '../helpers/wait.ts';

const waitFor = (check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 10_000) => until(check, what, ms, 200);

/*
 * The whole promise of the core issue, in a real browser with a fake camera and microphone:
 * a mediator logs in, creates a case, starts a session, invites a party; both join and each
 * decodes the other's video and receives the other's audio through the SFU. All of it under the
 * documents' Content-Security-Policy: no page may report a single violation.
 */
describe('cloud-mediation call in Chromium', () => {
  let server: FullServer;
  let browser: Browser;

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run scripts/setup.sh first');
    server = await startFullServer();
    await server.createUser('wang', 'mediator', { displayName: '王调解员' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('mediator and party see and hear each other', async () => {
    const mediatorContext = await browser.newContext({ viewport: { width: 1366, height: 860 }, locale: 'zh-CN' });
    const mediatorCsp = await collectCspViolations(mediatorContext, 'mediator');
    const mediator = await mediatorContext.newPage();
    const errors: string[] = [];
    mediator.on('pageerror', (e) => errors.push(`mediator: ${e.message}`));

    // Log in (the document carries the strict policy the whole call runs under).
    const loginPage = await mediator.goto(`${server.baseUrl}/login`);
    assert.match((await loginPage?.allHeaders())?.['content-security-policy'] ?? '', /script-src 'self'/);
    await mediator.locator('#login-username').fill('wang');
    await mediator.locator('#login-password').fill(TEST_PASSWORD);
    await mediator.locator('button[type=submit]').click();
    await mediator.getByRole('button', { name: '新建案件' }).click();

    // Create a case through the form.
    await mediator.locator('select[name=disputeType]').selectOption('labour');
    await mediator.locator('input[name=title]').fill('张三与某建筑公司欠薪纠纷');
    await mediator.locator('textarea[name=description]').fill('张三在工地务工三个月，工资 18000 元未结清。');
    await mediator.locator('select[name="parties.0.side"]').selectOption('applicant');
    await mediator.locator('input[name="parties.0.name"]').fill('张三');
    await mediator.locator('input[name="parties.0.phone"]').fill('13812345678');
    await mediator.locator('form button[type=submit]').click();
    await mediator.waitForURL(/\/cases\//).catch(async (error: unknown) => {
      await screenshot(mediator, 'core-failed-create-case');
      throw error;
    });
    await mediator.getByTestId('start-session').waitFor();
    await screenshot(mediator, 'core-01-case-detail');

    // Start the session and invite the party.
    await mediator.getByTestId('start-session').click();
    const inviteRow = mediator.getByTestId('party-invite-row').first();
    await inviteRow.locator('button').first().click();
    const urlField = mediator.getByTestId('invitation-url').first();
    await urlField.waitFor();
    const invitationUrl = (await urlField.inputValue().catch(() => null)) ?? (await urlField.textContent()) ?? '';
    assert.match(invitationUrl, /\/join#t=/);
    assert.equal(await mediator.getByTestId('invitation-qr').first().isVisible(), true);
    await screenshot(mediator, 'core-02-console-invitation');
    assert.ok(invitationUrl.startsWith(`${server.baseUrl}/join#t=`), invitationUrl);
    const joinUrl = invitationUrl;

    // Mediator enters the room.
    await mediator.getByTestId('enter-room').click();
    await mediator.getByTestId('prejoin').waitFor();
    await mediator.getByTestId('join-button').click();
    await mediator.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });

    // The party joins from a phone.
    const partyContext = await browser.newContext({ ...phoneViewport, locale: 'zh-CN' });
    const partyCsp = await collectCspViolations(partyContext, 'party');
    const party = await partyContext.newPage();
    party.on('pageerror', (e) => errors.push(`party: ${e.message}`));
    await party.goto(joinUrl);
    await party.getByTestId('invitation-landing').waitFor();
    assert.doesNotMatch(party.url(), /#t=/, 'the token leaves the address bar');
    const continueButton = party.getByTestId('continue');
    if (await continueButton.isVisible().catch(() => false)) await continueButton.click();
    await party.getByTestId('prejoin').waitFor();
    await screenshot(party, 'core-03-party-prejoin');
    await party.getByTestId('join-button').click();
    await party.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
    // The party waits until the mediator lets them in.
    await party.getByTestId('lobby').waitFor();
    await mediator.getByTestId('admit').click();
    await party.getByTestId('lobby').waitFor({ state: 'detached' });

    // Real media both ways.
    const atParty = await waitForRemoteMedia(party);
    const atMediator = await waitForRemoteMedia(mediator);
    assert.ok(atParty.videoFramesDecoded > 0, `party decodes the mediator's video: ${JSON.stringify(atParty)}`);
    assert.ok(atParty.audioPacketsReceived > 0, `party receives the mediator's audio: ${JSON.stringify(atParty)}`);
    assert.ok(atMediator.videoFramesDecoded > 0, `mediator decodes the party's video: ${JSON.stringify(atMediator)}`);
    assert.ok(atMediator.audioPacketsReceived > 0, `mediator receives the party's audio: ${JSON.stringify(atMediator)}`);
    await mediator.getByTestId('remote-video').first().waitFor();
    await party.getByTestId('remote-video').first().waitFor();

    // The server agrees: one producer per kind per participant.
    const sessionId = new URL(mediator.url()).pathname.split('/').pop()!;
    const { token } = await server.login('wang');
    const state = await server.api('GET', `/api/sessions/${sessionId}/media`, { token });
    assert.equal(state.status, 200);
    assert.equal(state.body.peers.length, 2);
    for (const peer of state.body.peers as Array<{ role: string; producers: Array<{ kind: string }> }>) {
      const kinds = peer.producers.map((p) => p.kind).sort();
      assert.deepEqual(kinds, ['audio', 'video'], `${peer.role} has one audio and one video producer`);
    }

    await party.waitForTimeout(1500);
    await screenshot(mediator, 'core-04-room-mediator');
    await screenshot(party, 'core-05-room-party-phone');

    // Mute is a server-side pause, and the party leaves cleanly.
    await party.getByTestId('toggle-mic').click();
    await waitFor(async () => {
      const s = await server.api('GET', `/api/sessions/${sessionId}/media`, { token });
      const p = s.body.peers.find((x: { role: string }) => x.role === 'party');
      return p?.producers.find((x: { kind: string }) => x.kind === 'audio')?.paused === true;
    }, 'the party microphone to be paused on the server');
    await party.getByTestId('leave').click();
    await party.getByTestId('confirm-leave').getByTestId('confirm-ok').click();
    await waitFor(async () => {
      const s = await server.api('GET', `/api/sessions/${sessionId}/media`, { token });
      return s.body.peers.length === 1;
    }, 'the party to be gone from the room');

    // The other public documents load under the same policy.
    for (const path of ['/verify', '/report', '/query', '/sign']) {
      await party.goto(server.baseUrl + path);
      await party.locator('#root > *').first().waitFor();
    }

    assert.deepEqual(errors, []);
    assert.deepEqual([...mediatorCsp, ...partyCsp], [], 'no Content-Security-Policy violation on any page');
    await partyContext.close();
    await mediatorContext.close();
  });
});
