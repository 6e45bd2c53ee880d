import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { scribblePng } from '../unit/agreement/fixtures.ts';
import type { TestServer } from '../helpers/httpServer.ts';
import { lastSms } from '../helpers/smsOutbox.ts';

export const run = promisify(execFile);

/** A distinct drawn signature per seed, as a PNG data URL (what the signing pad sends). */
export function signatureDataUrl(seed: number): string {
  return `data:image/png;base64,${scribblePng(seed, 300, 100).toString('base64')}`;
}

export function tokenOf(url: string): string {
  const m = /#t=([^&]+)$/.exec(url);
  assert.ok(m, `token in fragment of ${url}`);
  return decodeURIComponent(m[1]!);
}

export function codeIn(sms: string): string {
  const m = /验证码(\d{6})/.exec(sms);
  assert.ok(m, `code in ${sms}`);
  return m[1]!;
}

export interface AgreementFixture {
  caseId: string;
  caseNumber: string;
  sessionId: string;
  partyA: { id: string; name: string; phone: string };
  partyB: { id: string; name: string; phone: string };
  inviteA: string;
  inviteB: string;
  inviteOfficial: string;
}

export const PHONE_A = '13812345678';
export const PHONE_B = '13987654321';

export async function caseWithSession(t: TestServer, mediator: string, names: [string, string] = ['张三', '李四']): Promise<AgreementFixture> {
  const c = await t.request('POST', '/api/cases', {
    token: mediator,
    body: {
      disputeType: 'labour',
      title: '工地欠薪纠纷',
      description: '申请人称在被申请人工地务工三个月，工资 18000 元未结清。',
      parties: [
        { side: 'applicant', name: names[0], phone: PHONE_A },
        { side: 'respondent', name: names[1], phone: PHONE_B },
      ],
    },
  });
  assert.equal(c.status, 201, c.text);
  const s = await t.request('POST', `/api/cases/${c.body.id}/sessions`, { token: mediator });
  assert.ok(s.status === 201 || s.status === 200, s.text);
  const [pa, pb] = c.body.parties as Array<{ id: string; name: string }>;
  const invite = async (body: unknown) => {
    const r = await t.request('POST', `/api/sessions/${s.body.id}/invitations`, { token: mediator, body });
    assert.equal(r.status, 201, r.text);
    return tokenOf(r.body.url);
  };
  return {
    caseId: c.body.id,
    caseNumber: c.body.caseNumber,
    sessionId: s.body.id,
    partyA: { id: pa!.id, name: pa!.name, phone: PHONE_A },
    partyB: { id: pb!.id, name: pb!.name, phone: PHONE_B },
    inviteA: await invite({ role: 'party', partyId: pa!.id, displayName: names[0] }),
    inviteB: await invite({ role: 'party', partyId: pb!.id, displayName: names[1] }),
    inviteOfficial: await invite({ role: 'official', displayName: '司法所 赵科长', department: '司法所' }),
  };
}

/** A party signs: code requested, read from the outbox, signature sent. */
export async function partySigns(t: TestServer, token: string, partyId: string, phone: string, revisionHash: string, seed: number) {
  const otp = await t.request('POST', '/api/signing/otp', { token, body: { partyId, revisionHash } });
  assert.equal(otp.status, 200, otp.text);
  const code = codeIn(await lastSms(t.testDb, phone, 'agreement_signing'));
  t.clock.advance(31_000);
  return t.request('POST', '/api/signing/sign', {
    token,
    headers: { 'user-agent': `test-agent-${seed}` },
    body: { partyId, revisionHash, consent: true, consentLang: 'zh-CN', code, signaturePng: signatureDataUrl(seed) },
  });
}

/** A draft's content with every typed field filled by its type (a blank required field stops the freeze). */
export function withFilledFields<C extends { parties: Array<{ name: string }>; fields: Array<{ type: string; value: string }> }>(content: C): C {
  const sample: Record<string, string> = { date: '2026-12-31', amount: '1000', integer: '1', text: '无', party: content.parties[0]?.name ?? '' };
  return { ...content, fields: content.fields.map((f) => ({ ...f, value: f.value || (sample[f.type] ?? '') })) };
}
