import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { demoUsers, seedDemo } from '../../server/demo/seed.ts';
import { createLogger } from '../../server/logger.ts';
import { launchChromium, loginStaff, phoneViewport } from '../helpers/browser.ts';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';

/*
 * Pages are split by audience (client/src/routes.tsx): a party's phone on the join page, and a
 * citizen on the report page, download neither the staff console's code nor its styles. Checked
 * on what Chromium actually fetched, by a rule only the staff console's stylesheet has.
 */

const STAFF_ONLY_RULE = '.case-table'; // the case list (client/src/styles/console.css)
/** A string only ECharts' bundle has (the grid map, client/src/components/gridmap). */
const ECHARTS_ONLY = 'registerMap';

let server: FullServer;
let browser: Browser;

before(async () => {
  server = await startFullServer();
  await seedDemo({ db: server.testDb.db, log: createLogger('seed') });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens `path` on a fresh phone page and returns the scripts and stylesheets it fetched (name, body). */
async function fetched(path: string, ready: string, prepare?: (page: Page) => Promise<void>): Promise<Array<{ name: string; body: string }>> {
  const context = await browser.newContext(phoneViewport);
  try {
    const page = await context.newPage();
    if (prepare) await prepare(page);
    const bodies: Array<Promise<{ name: string; body: string }>> = [];
    page.on('response', (r) => {
      if (/\.(css|js)$/.test(new URL(r.url()).pathname)) bodies.push(r.text().then((body) => ({ name: new URL(r.url()).pathname, body })));
    });
    await page.goto(`${server.baseUrl}${path}`);
    await page.locator(ready).first().waitFor();
    await page.waitForLoadState('networkidle');
    return await Promise.all(bodies);
  } finally {
    await context.close();
  }
}

const staffStyles = (files: Array<{ name: string; body: string }>) =>
  files.filter((f) => f.name.endsWith('.css') && f.body.includes(STAFF_ONLY_RULE)).map((f) => f.name);

describe('page chunks by audience (Chromium, phone)', () => {
  test('the staff console loads the staff stylesheet (the rule this test looks for is real)', async () => {
    const mediator = demoUsers.find((u) => u.role === 'mediator')!;
    const files = await fetched('/', '.case-table, .empty-state', (page) => loginStaff(page, server.baseUrl, mediator.username, mediator.password));
    assert.notDeepEqual(staffStyles(files), []);
    assert.ok(
      files.some((f) => f.body.includes(ECHARTS_ONLY)),
      'the marker this test looks for is real',
    );
  });

  test("a party's join page loads no staff code or styles", async () => {
    const { token, session } = await server.mediatorWithSession();
    const invitation = await server.invite(token, session.id, { role: 'party', displayName: '张三', side: 'applicant' });
    const files = await fetched(new URL(invitation.url).pathname + new URL(invitation.url).hash, '[data-testid=invitation-landing]');
    assert.ok(
      files.some((f) => f.name.endsWith('.css')),
      'stylesheets were fetched',
    );
    assert.deepEqual(staffStyles(files), []);
    assert.deepEqual(
      files.filter((f) => /staffPages/.test(f.name)).map((f) => f.name),
      [],
    );
  });

  test("the citizens' report page loads no staff code or styles", async () => {
    const files = await fetched('/report', 'form');
    assert.deepEqual(staffStyles(files), []);
    assert.deepEqual(
      files.filter((f) => f.body.includes(ECHARTS_ONLY)).map((f) => f.name),
      [],
      "the grid map's charting library stays in the staff chunk",
    );
    assert.deepEqual(
      files.filter((f) => /staffPages/.test(f.name)).map((f) => f.name),
      [],
    );
  });
});
