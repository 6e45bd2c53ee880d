import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS_DIR = path.resolve('tests/artifacts');

/**
 * Debian's Chromium with a fake camera and microphone. The background-networking flags keep it
 * from dialling out (this machine has no network beyond loopback). `executablePath`: a wrapper
 * (e.g. one that runs it in a network namespace); `args`: more flags.
 */
export async function launchChromium(options: { executablePath?: string; args?: string[] } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: options.executablePath ?? CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...(options.args ?? []),
    ],
  });
}

/** A path in tests/artifacts (created if missing: a fresh clone has no such folder). */
export function artifactFile(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return path.join(ARTIFACTS_DIR, name);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = artifactFile(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Phone-sized context, as a party on a mid-range Android phone would have. */
export const phoneViewport = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

/** A page in a new zh-CN context (kept in `contexts` for closing after the tests); page errors go to the log. */
export async function newTrackedPage(
  browser: Browser,
  contexts: BrowserContext[],
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ page: Page; context: BrowserContext }> {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('pageerror', e.message));
  // E2E_CONSOLE=1: the page's console in the test log, for reading a failure's story.
  if (process.env['E2E_CONSOLE']) page.on('console', (m) => console.error(`[page ${new Date().toISOString().slice(11, 23)}] ${m.type()}: ${m.text()}`));
  return { page, context };
}

/** Signs a staff member in through the login form and waits for their landing page (the console; a judge's is the court queue). */
export async function loginStaff(page: Page, baseUrl: string, username: string, password: string, landing = '/'): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL((u) => u.pathname === landing);
}

/**
 * Collects every Content-Security-Policy violation in the context's pages (all navigations):
 * a `securitypolicyviolation` listener installed before any page script runs.
 */
export async function collectCspViolations(context: BrowserContext, label: string): Promise<string[]> {
  const violations: string[] = [];
  await context.exposeBinding('__cspViolation', (_source, text: string) => void violations.push(`${label}: ${text}`));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __cspViolation(text: string): void }).__cspViolation;
      report(`${e.effectiveDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber} on ${location.pathname}`);
    });
  });
  return violations;
}
