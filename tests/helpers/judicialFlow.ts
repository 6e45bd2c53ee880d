import assert from 'node:assert/strict';
import {
  caseWithSession,
  codeIn,
  partySigns,
  PHONE_A,
  PHONE_B,
  signatureDataUrl,
  tokenOf,
  withFilledFields,
  type AgreementFixture,
} from '../api/agreementHelpers.ts';
import type { TestServer } from './httpServer.ts';
import { lastSms } from './smsOutbox.ts';

/*
 * A judicial confirmation application submitted to a court through the real routes: the agreement
 * drafted, signed by both parties and the mediator (sealed), the application started by the
 * mediator, confirmed by both parties on their links with the code and a drawn signature.
 */

let seed = 700;

export interface SealedAgreementCase {
  f: AgreementFixture;
  agreementId: string;
  document: { sha256: string; verificationCode: string };
}

/** A case whose agreement both parties and the mediator signed through the real routes: sealed by the committee. */
export async function sealedAgreementCase(t: TestServer, mediator: string, names?: [string, string]): Promise<SealedAgreementCase> {
  const f = await caseWithSession(t, mediator, names);
  const d = await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: mediator, body: {} });
  assert.equal(d.status, 201, d.text);
  const saved = await t.request('PUT', `/api/agreements/${d.body.id}/draft`, {
    token: mediator,
    body: { baseRevision: d.body.revision.number, content: withFilledFields(d.body.revision.content) },
  });
  assert.equal(saved.status, 200, saved.text);
  const frozen = await t.request('POST', `/api/agreements/${d.body.id}/freeze`, { token: mediator, body: { revision: saved.body.revision.number } });
  assert.equal(frozen.status, 200, frozen.text);
  const hash = frozen.body.frozen.hash as string;
  const links = (await t.request('POST', `/api/agreements/${d.body.id}/signing-links`, { token: mediator })).body;
  assert.equal((await partySigns(t, tokenOf(links[0].url), f.partyA.id, PHONE_A, hash, seed++)).status, 200);
  assert.equal((await partySigns(t, tokenOf(links[1].url), f.partyB.id, PHONE_B, hash, seed++)).status, 200);
  const signed = await t.request('POST', `/api/agreements/${d.body.id}/sign`, {
    token: mediator,
    body: { as: 'mediator', revisionHash: hash, consent: true, consentLang: 'zh-CN', signaturePng: signatureDataUrl(seed++) },
  });
  assert.equal(signed.body.status, 'sealed', signed.text);
  return { f, agreementId: d.body.id, document: signed.body.document };
}

export async function submittedApplication(t: TestServer, mediator: string, courtUnitId: string): Promise<{ caseId: string; applicationId: string }> {
  const { f } = await sealedAgreementCase(t, mediator);
  const started = await t.request('POST', `/api/cases/${f.caseId}/judicial`, { token: mediator, body: { courtUnitId } });
  assert.equal(started.status, 201, started.text);
  const tokens = (started.body.links as Array<{ url: string }>).map((l) => tokenOf(l.url));
  for (const [token, phone] of [
    [tokens[0]!, PHONE_A],
    [tokens[1]!, PHONE_B],
  ] as const) {
    assert.equal((await t.request('POST', '/api/judicial/apply/otp', { token, body: {} })).status, 200);
    const code = codeIn(await lastSms(t.testDb, phone, 'judicial_confirmation'));
    const confirmed = await t.request('POST', '/api/judicial/apply/confirm', {
      token,
      body: { consent: true, consentLang: 'zh-CN', code, signaturePng: signatureDataUrl(seed++) },
    });
    assert.equal(confirmed.status, 200, confirmed.text);
  }
  const application = started.body.application as { id: string };
  return { caseId: f.caseId, applicationId: application.id };
}
