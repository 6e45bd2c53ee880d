import { signatureDataUrl } from '../api/agreementHelpers.ts';
import type { ManualClock } from '../../server/clock.ts';
import { frozenAgreement, lastSigningCode } from './agreementFlow.ts';
import type { FullServer } from './fullServer.ts';

export interface SealedCase {
  caseId: string;
  caseNumber: string;
  agreementId: string;
  verificationCode: string;
  parties: Array<{ id: string; name: string; phone: string }>;
}

/** Every drawn signature differs (the same image twice is refused as a replay), across calls too. */
let seed = 100;

async function ok<T = any>(server: FullServer, what: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<T> {
  const res = await server.api<T>(method, path, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  if (res.status < 200 || res.status > 299) throw new Error(`${what}: ${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * A case whose mediation agreement is sealed, reached through the HTTP API as the room would:
 * the mediator drafts, freezes and sends signing links; each party signs with the code from the
 * SMS outbox and a drawn signature; the mediator signs last and the agreement is sealed. The
 * manual clock moves past the code's resend interval between the two phones' codes.
 */
export async function sealedAgreement(
  server: FullServer,
  clock: ManualClock,
  mediatorToken: string,
  parties: Array<{ side: 'applicant' | 'respondent'; name: string; phone: string }>,
): Promise<SealedCase> {
  const created = await ok(server, 'case', 'POST', '/api/cases', mediatorToken, {
    disputeType: 'labour',
    title: '工地欠薪纠纷',
    description: '申请人在被申请人承包的工地务工三个月，工资18000元未结清。',
    parties,
  });
  const session = await ok(server, 'session', 'POST', `/api/cases/${created.id}/sessions`, mediatorToken);
  const frozen = await frozenAgreement(server, mediatorToken, session.id as string);
  for (const [i, link] of frozen.links.entries()) {
    const token = decodeURIComponent(/#t=([^&]+)$/.exec(link.url)![1]!);
    const phone = parties[i]!.phone;
    clock.advance(31_000);
    await ok(server, 'signing code', 'POST', '/api/signing/otp', token, { partyId: link.partyId, revisionHash: frozen.revisionHash });
    const code = await lastSigningCode(server, phone);
    await ok(server, 'party signs', 'POST', '/api/signing/sign', token, {
      partyId: link.partyId,
      revisionHash: frozen.revisionHash,
      consent: true,
      consentLang: 'zh-CN',
      code,
      signaturePng: signatureDataUrl(++seed),
    });
  }
  const sealed = await ok(server, 'mediator signs', 'POST', `/api/agreements/${frozen.agreementId}/sign`, mediatorToken, {
    as: 'mediator',
    revisionHash: frozen.revisionHash,
    consent: true,
    consentLang: 'zh-CN',
    signaturePng: signatureDataUrl(++seed),
  });
  if (sealed.status !== 'sealed') throw new Error(`agreement not sealed: ${JSON.stringify(sealed).slice(0, 300)}`);
  const ids = created.parties as Array<{ id: string; name: string }>;
  return {
    caseId: created.id,
    caseNumber: created.caseNumber,
    agreementId: frozen.agreementId,
    verificationCode: sealed.document.verificationCode,
    parties: ids.map((p, i) => ({ id: p.id, name: p.name, phone: parties[i]!.phone })),
  };
}
