import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { demoUsers, seedDemo } from '../../server/demo/seed.ts';
import { createLogger } from '../../server/logger.ts';
import type { LoginResponse } from '../../server/protocol/api.ts';
import { frozenAgreement } from '../helpers/agreementFlow.ts';
import { ARTIFACTS_DIR, launchChromium, phoneViewport } from '../helpers/browser.ts';
import { sampleCase, startFullServer, type FullServer } from '../helpers/fullServer.ts';
import { layoutAuditScript } from '../helpers/layoutAudit.ts';

/*
 * Every page, in both languages, on a 390x844 phone and a 1440x900 desktop: no horizontal
 * overflow, nothing overlapping a button or link, no message key on screen. One browser, one
 * context per language and viewport, one tab reused for every page. Screenshots of each page go
 * to tests/artifacts/layout/<page>-<language>-<viewport>.png.
 */

const LAYOUT_DIR = path.join(ARTIFACTS_DIR, 'layout');
const languages = ['zh-CN', 'en'] as const;
const viewports = {
  phone: phoneViewport,
  desktop: { viewport: { width: 1440, height: 900 } },
} as const;
type Language = (typeof languages)[number];
type Viewport = keyof typeof viewports;

type Role = 'mediator' | 'supervisor' | 'admin' | 'official';

interface PageSpec {
  name: string;
  /** Path with query and fragment; a function when it depends on the seeded world. */
  path: () => string;
  /** The staff login this page needs (kept in localStorage like a real login). */
  as?: Role;
  /** A selector that is visible once the page has its content. */
  ready: string;
  /** Steps after loading (fill a form, press continue, join the room), ending in `ready`-like waits. */
  then?: (page: Page) => Promise<void>;
}

let server: FullServer;
let browser: Browser;
const auth: Partial<Record<Role, LoginResponse>> = {};
const world = {
  caseId: '',
  sessionId: '',
  partyJoinUrl: '',
  signUrl: '',
  followUpUrl: '',
  report: { caseNumber: '', queryCode: '' },
};

async function api<T = any>(what: string, method: string, p: string, token?: string, body?: unknown): Promise<T> {
  const res = await server.api<T>(method, p, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  assert.ok(res.status >= 200 && res.status < 300, `${what}: ${method} ${p} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Walks a case from wherever the window put it to closed (settled), each step by the role the state table names. */
async function closeSettled(caseId: string): Promise<void> {
  const med = auth.mediator!.token;
  const sup = auth.supervisor!.token;
  const centre = await server.testDb.db.unit.findUniqueOrThrow({ where: { name: '示范区矛盾纠纷多元化解调处中心' } });
  const mediator = await server.testDb.db.user.findUniqueOrThrow({ where: { username: 'mediator' } });
  const steps: Record<string, () => Promise<unknown>> = {
    reported: () => api('register', 'POST', `/api/cases/${caseId}/actions/register`, sup, { note: '窗口受理' }),
    registered: () => api('route', 'POST', `/api/cases/${caseId}/actions/grade_and_route`, sup, { grade: 'medium', level: 'county', unitId: centre.id }),
    routed: () => api('assign', 'POST', `/api/cases/${caseId}/actions/assign`, sup, { mediatorId: mediator.id }),
    assigned: () => api('start a session', 'POST', `/api/cases/${caseId}/sessions`, med),
    in_mediation: () =>
      api('close settled', 'POST', `/api/cases/${caseId}/actions/close_settled`, med, { agreementForm: 'written', summary: '赔偿维修费用 2000 元' }),
  };
  for (let i = 0; i < 6; i++) {
    const { state } = await api<{ state: string }>('read the case', 'GET', `/api/cases/${caseId}`, med);
    if (state === 'closed_settled') return;
    const step = steps[state];
    assert.ok(step, `no step from state ${state} towards closed_settled`);
    await step();
  }
  assert.fail(`case ${caseId} did not reach closed_settled`);
}

before(async () => {
  server = await startFullServer();
  await seedDemo({ db: server.testDb.db, log: createLogger('seed') });
  for (const role of ['mediator', 'supervisor', 'admin', 'official'] as const) {
    const user = demoUsers.find((u) => u.username === role)!;
    auth[role] = await api<LoginResponse>(`log in as ${role}`, 'POST', '/api/auth/login', undefined, { username: user.username, password: user.password });
  }
  const med = auth.mediator!.token;

  // A case in mediation with an open session, a party's invitation and a frozen agreement to sign.
  const created = await api('create a case', 'POST', '/api/cases', med, sampleCase);
  world.caseId = created.id;
  world.sessionId = (await api('start a session', 'POST', `/api/cases/${created.id}/sessions`, med)).id;
  world.partyJoinUrl = (await server.invite(med, world.sessionId, { role: 'party', partyId: created.parties[0].id, displayName: '张三' })).url;
  world.signUrl = (await frozenAgreement(server, med, world.sessionId)).links[0]!.url;

  // The department is called in, so the official's whistle queue has a task.
  const hr = await server.testDb.db.unit.findUniqueOrThrow({ where: { name: '区人社局' } });
  await api('call in a department', 'POST', `/api/cases/${created.id}/whistles`, med, { unitId: hr.id, need: '请人社局核实欠薪金额' });

  // A second case, settled, with a follow-up link for the party.
  const settled = await api('create a second case', 'POST', '/api/cases', med, {
    disputeType: 'neighbour',
    title: '楼上漏水纠纷',
    description: '楼上卫生间漏水，损坏楼下天花板。',
    parties: [
      { side: 'applicant', name: '刘六', phone: '13700001111' },
      { side: 'respondent', name: '王五', phone: '13700002222' },
    ],
  });
  await closeSettled(settled.id);
  world.followUpUrl = (await api('follow-up link', 'POST', `/api/cases/${settled.id}/followup-link`, med)).url;

  // A citizen's report, for the progress query.
  world.report = await api('citizen report', 'POST', '/api/public/cases', undefined, {
    disputeType: 'neighbour',
    title: '装修噪音扰民',
    description: '隔壁每天晚上十点后装修。',
    parties: [{ side: 'applicant', name: '刘六', phone: '13700001111' }],
  });

  mkdirSync(LAYOUT_DIR, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

const relative = (url: string) => {
  const u = new URL(url);
  return u.pathname + u.search + u.hash;
};

const pages: PageSpec[] = [
  { name: 'login', path: () => '/login', ready: '#login-username' },
  { name: 'verify', path: () => '/verify', ready: '[data-testid=verify-code]' },
  { name: 'report', path: () => '/report', ready: '[data-testid=report-form]' },
  { name: 'query', path: () => '/query', ready: '[data-testid=query-form]' },
  {
    name: 'query-result',
    path: () => '/query',
    ready: '[data-testid=query-form]',
    then: async (page) => {
      await page.locator('input[name=caseNumber]').fill(world.report.caseNumber);
      await page.locator('input[name=queryCode]').fill(world.report.queryCode);
      await page.getByTestId('query-submit').click();
      await page.getByTestId('query-result').waitFor();
    },
  },
  { name: 'followup', path: () => relative(world.followUpUrl), ready: '[data-testid=followup-page]' },
  { name: 'sign', path: () => relative(world.signUrl), ready: '[data-testid=sign-form]' },
  { name: 'join-landing', path: () => relative(world.partyJoinUrl), ready: '[data-testid=invitation-landing]' },
  {
    name: 'join-prejoin',
    path: () => relative(world.partyJoinUrl),
    ready: '[data-testid=invitation-landing]',
    then: async (page) => {
      const next = page.getByTestId('continue');
      if (await next.isVisible()) await next.click();
      await page.getByTestId('prejoin').waitFor();
    },
  },
  { name: 'console', path: () => '/', as: 'mediator', ready: '[data-testid=case-row]' },
  { name: 'case-detail', path: () => `/cases/${world.caseId}`, as: 'mediator', ready: '[data-testid=session-card]' },
  { name: 'work-queue', path: () => '/queue', as: 'mediator', ready: '[data-testid=loop-row]' },
  {
    name: 'session-room',
    path: () => `/session/${world.sessionId}`,
    as: 'mediator',
    ready: '[data-testid=join-button]',
    then: async (page) => {
      await page.getByTestId('join-button').click();
      await page.waitForFunction(() => document.body.dataset['roomState'] === 'joined', null, { timeout: 30_000 });
    },
  },
  { name: 'dashboard', path: () => '/dashboard', as: 'supervisor', ready: '[data-testid=dash-kpis]' },
  { name: 'grid-map', path: () => '/map', as: 'supervisor', ready: '[data-testid=grid-map] canvas' },
  { name: 'rules', path: () => '/rules', as: 'admin', ready: 'main form, main table' },
  { name: 'staff-accounts', path: () => '/staff', as: 'admin', ready: '[data-testid=staff-row]' },
  { name: 'whistle-queue', path: () => '/whistles', as: 'official', ready: '[data-testid=whistle-task]' },
];

/** The staff login (localStorage, shared by the tabs, as the login page keeps it), changed only when the next page needs another. */
async function signIn(page: Page, tab: { role: Role | null }, role: Role | null): Promise<void> {
  if (tab.role === role) return;
  const login = role ? auth[role] : undefined;
  await page.goto(`${server.baseUrl}/verify`);
  await page.evaluate(
    (staff) => (staff ? localStorage.setItem('cm.staff', staff) : localStorage.removeItem('cm.staff')),
    login ? JSON.stringify({ token: login.token, expiresAt: login.expiresAt, user: login.user }) : null,
  );
  tab.role = role;
}

/** Loads one page in the reused tab and audits it at the top and at the bottom. */
async function audit(page: Page, tab: { role: Role | null }, spec: PageSpec, language: Language, viewport: Viewport): Promise<string[]> {
  const where = `${spec.name} [${language} ${viewport}]`;
  await signIn(page, tab, spec.as ?? null);
  await page.goto(server.baseUrl + spec.path());
  try {
    await page.locator(spec.ready).first().waitFor({ state: 'visible', timeout: 30_000 });
    await spec.then?.(page);
    await page.waitForFunction(() => document.querySelector('.spinner') === null, null, { timeout: 15_000 });
    await page.evaluate('document.fonts.ready');
  } catch (e) {
    await page.screenshot({ path: path.join(LAYOUT_DIR, `${spec.name}-${language}-${viewport}.png`), fullPage: true });
    return [`${where}: the page did not get ready (${(e as Error).message.split('\n')[0]})`];
  }
  await page.screenshot({ path: path.join(LAYOUT_DIR, `${spec.name}-${language}-${viewport}.png`), fullPage: true, animations: 'disabled' });
  const problems = new Map<string, string>();
  for (const at of ['top', 'bottom'] as const) {
    await page.evaluate(at === 'top' ? 'window.scrollTo(0, 0)' : 'window.scrollTo(0, document.documentElement.scrollHeight)');
    for (const p of (await page.evaluate(layoutAuditScript(viewports[viewport].viewport.width))) as string[]) {
      if (!problems.has(p)) problems.set(p, `${where}: ${p}${at === 'bottom' ? ' (scrolled to the bottom)' : ''}`);
    }
  }
  return [...problems.values()];
}

describe('layout of every page', () => {
  for (const language of languages) {
    for (const viewport of Object.keys(viewports) as Viewport[]) {
      test(`${language} at ${viewport} size: no overflow, nothing over a button, no message keys`, async () => {
        const context: BrowserContext = await browser.newContext({ ...viewports[viewport], locale: language });
        // The language the user picked, as the language switch keeps it.
        await context.addInitScript((lang) => localStorage.setItem('cm.lang', lang), language);
        const tab = { role: null as Role | null };
        try {
          const page = await context.newPage();
          const pageErrors: string[] = [];
          page.on('pageerror', (e) => pageErrors.push(e.message));
          const problems: string[] = [];
          for (const spec of pages) problems.push(...(await audit(page, tab, spec, language, viewport)));
          for (const e of pageErrors) problems.push(`[${language} ${viewport}] page error: ${e}`);
          assert.deepEqual(problems, [], `layout problems:\n${problems.join('\n')}`);
        } finally {
          await context.close();
        }
      });
    }
  }
});
