import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newTrackedPage, phoneViewport } from './browser.ts';
import type { ServerHelpers } from './fullServer.ts';

/* Pages in the mediation room, as the browser tests open them: a mediator on a desktop, invitees on phones. */

export type StaffLogin = { token: string; expiresAt: string; user: unknown };

/** The staff login the client keeps in sessionStorage, for a token from the API. */
export async function staffLogin(server: Pick<ServerHelpers, 'api'>, token: string): Promise<StaffLogin> {
  const me = await server.api('GET', '/api/auth/me', { token });
  return { token, expiresAt: new Date(Date.now() + 3600_000).toISOString(), user: me.body?.user ?? me.body };
}

export interface RoomPages {
  /** The mediator on a 1440x900 desktop, joined (the agreement drawer folded away). */
  mediatorPage(
    sessionId: string,
    login: StaffLogin,
    options?: { language?: 'zh-CN' | 'en'; prepare?: (page: Page) => Promise<void> },
  ): Promise<{ page: Page; context: BrowserContext }>;
  /**
   * An invitee from their link (a phone unless `phone` is false), joined (perhaps in the waiting
   * room); `prepare` runs on the page before it opens the link (e.g. to route its WebSocket).
   */
  inviteePage(url: string, phone?: boolean, prepare?: (page: Page) => Promise<void>): Promise<{ page: Page; context: BrowserContext }>;
  /** The agreement drawer (another feature) opens over the room's side panel; fold it away. */
  closeAgreementDrawer(page: Page): Promise<void>;
}

export function roomPages(browser: Browser, contexts: BrowserContext[], baseUrl: () => string): RoomPages {
  const newPage = (options: Parameters<Browser['newContext']>[0] = {}) => newTrackedPage(browser, contexts, options);

  async function closeAgreementDrawer(page: Page) {
    const close = page.locator('.agr-panel__head button');
    await close
      .first()
      .waitFor({ timeout: 3000 })
      .catch(() => undefined);
    if (
      await close
        .first()
        .isVisible()
        .catch(() => false)
    )
      await close.first().click();
  }

  async function mediatorPage(sessionId: string, login: StaffLogin, options: { language?: 'zh-CN' | 'en'; prepare?: (page: Page) => Promise<void> } = {}) {
    const { page, context } = await newPage({ viewport: { width: 1440, height: 900 } });
    await options.prepare?.(page);
    await context.addInitScript((auth) => sessionStorage.setItem('cm.staff', JSON.stringify(auth)), login);
    if (options.language) await context.addInitScript((lang) => localStorage.setItem('cm.lang', lang), options.language);
    await page.goto(`${baseUrl()}/session/${sessionId}`);
    await page.getByTestId('join-button').click();
    await page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
    await closeAgreementDrawer(page);
    return { page, context };
  }

  async function inviteePage(url: string, phone = true, prepare?: (page: Page) => Promise<void>) {
    const { page, context } = await newPage(phone ? phoneViewport : { viewport: { width: 1280, height: 800 } });
    await prepare?.(page);
    await page.goto(url);
    await page.getByTestId('invitation-landing').waitFor();
    await page.getByTestId('continue').click();
    await page.getByTestId('join-button').click();
    await page.waitForFunction(() => document.body.dataset.roomState === 'joined', null, { timeout: 20_000 });
    return { page, context };
  }

  return { mediatorPage, inviteePage, closeAgreementDrawer };
}
