import type { FullServer } from './fullServer.ts';

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
 * fill the template's blanks (____), freeze it and create the parties' signing links.
 */
export async function frozenAgreement(server: FullServer, mediatorToken: string, sessionId: string): Promise<FrozenAgreement> {
  const draft = await ok(server, 'draft the agreement', 'POST', `/api/sessions/${sessionId}/agreement`, mediatorToken, {});
  const filled = JSON.parse(JSON.stringify(draft.revision.content).replace(/_{2,}/g, '10'));
  const saved = await ok(server, 'fill the blanks', 'PUT', `/api/agreements/${draft.id}/draft`, mediatorToken, {
    baseRevision: draft.revision.number,
    content: filled,
  });
  const frozen = await ok(server, 'freeze', 'POST', `/api/agreements/${draft.id}/freeze`, mediatorToken, { revision: saved.revision.number });
  const links = await ok(server, 'signing links', 'POST', `/api/agreements/${draft.id}/signing-links`, mediatorToken);
  return { agreementId: draft.id, revisionHash: frozen.frozen.hash, links };
}
