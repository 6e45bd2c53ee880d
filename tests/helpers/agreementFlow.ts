import { withFilledFields } from '../api/agreementHelpers.ts';
import type { Page } from 'playwright-core';
import type { FullServer } from './fullServer.ts';
import { lastSms } from './smsOutbox.ts';

export interface FrozenAgreement {
  agreementId: string;
  revisionHash: string;
  /** One signing link per party, in the case's party order. */
  links: Array<{ partyId: string; side: string | null; name: string; url: string }>;
}

async function ok<T = any>(server: FullServer, what: string, method: string, path: string, token: string, body?: unknown): Promise<T> {
  const res = await server.api<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: ${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Through the HTTP API, as the mediator would in the room: draft the agreement from the template,
 * fill the template's typed fields, freeze it and create the parties' signing links.
 */
export async function frozenAgreement(server: FullServer, mediatorToken: string, sessionId: string): Promise<FrozenAgreement> {
  const draft = await ok(server, 'draft the agreement', 'POST', `/api/sessions/${sessionId}/agreement`, mediatorToken, {});
  const filled = withFilledFields(draft.revision.content as { parties: Array<{ name: string }>; fields: Array<{ type: string; value: string }> });
  const saved = await ok(server, 'fill the blanks', 'PUT', `/api/agreements/${draft.id}/draft`, mediatorToken, {
    baseRevision: draft.revision.number,
    content: filled,
  });
  const frozen = await ok(server, 'freeze', 'POST', `/api/agreements/${draft.id}/freeze`, mediatorToken, { revision: saved.revision.number });
  const links = await ok(server, 'signing links', 'POST', `/api/agreements/${draft.id}/signing-links`, mediatorToken);
  return { agreementId: draft.id, revisionHash: frozen.frozen.hash, links };
}

/** The last signing code sent to a phone, read from the development SMS outbox. */
export async function lastSigningCode(server: FullServer, phone: string): Promise<string> {
  const code = /验证码(\d{6})/.exec(await lastSms(server.testDb, phone, 'agreement_signing'))?.[1];
  if (!code) throw new Error(`no signing code sent to ${phone}`);
  return code;
}

/** Draws a signature on the page's signing pad with the mouse; `seed` varies the stroke. */
export async function drawSignature(page: Page, seed = 3): Promise<void> {
  const pad = page.getByTestId('signature-pad').last();
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await page.mouse.move(box.x + 20, box.y + box.height * 0.6);
  await page.mouse.down();
  for (let i = 0; i <= 20; i++) await page.mouse.move(box.x + 20 + i * ((box.width - 50) / 20), box.y + box.height * (0.5 + 0.3 * Math.sin(i / seed)));
  await page.mouse.up();
}
