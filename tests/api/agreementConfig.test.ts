import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sealCommonName } from '../../server/agreement/orgKey.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { caseWithSession } from './agreementHelpers.ts';

/*
 * Public verification is rate-limited per IP (30 per 10 minutes over /api/verify/code and
 * /api/verify/file together); the sealing organisation comes from SEAL_ORGANISATION.
 */
const ORG = '上海市黄浦区外滩街道人民调解委员会';
let t: TestServer;
let mediator: string;

before(async () => {
  t = await startTestServer({ env: { SEAL_ORGANISATION: ORG } });
  await t.createUser('med1', 'mediator', undefined, { displayName: '王调解员' });
  mediator = (await t.login('med1')).token;
});
after(async () => t.close());

const byCode = (headers: Record<string, string> = {}) => t.request('POST', '/api/verify/code', { body: { code: 'AAAA-BBBB-CCCC' }, headers });
const byFile = () =>
  fetch(`${t.baseUrl}/api/verify/file`, {
    method: 'POST',
    headers: { 'content-type': 'application/pdf' },
    body: new Uint8Array(Buffer.from('%PDF-1.4 x\n%%EOF\n')),
  });

describe('public verification rate limit', () => {
  test('30 verifications per IP in 10 minutes (code and file together); the 31st → 429 with Retry-After; allowed again later', async () => {
    for (let i = 0; i < 20; i++) assert.equal((await byCode()).status, 200);
    for (let i = 0; i < 10; i++) {
      const r = await byFile();
      assert.equal(r.status, 200);
      assert.equal(((await r.json()) as { status: string }).status, 'unknown');
    }

    const refused = await byCode();
    assert.equal(refused.status, 429);
    assert.equal(refused.body.code, 'too_many_requests');
    assert.match(refused.body.message, /Too many verification requests.*try again in 10 minute/);
    assert.equal(refused.body.reason, 'verify_rate_limited', 'users are told by reason, from the catalogue');
    assert.deepEqual(refused.body.params, { minutes: 10 });
    assert.equal(refused.headers.get('retry-after'), '600');

    const file = await byFile();
    assert.equal(file.status, 429, 'the upload is refused before its body is read');
    assert.equal(((await file.json()) as { code: string }).code, 'too_many_requests');

    // A forged X-Forwarded-For does not buy a fresh bucket (trust proxy is off by default).
    assert.equal((await byCode({ 'x-forwarded-for': '203.0.113.9' })).status, 429);
    // Invalid input is counted too: the limiter runs before validation.
    assert.equal((await t.request('POST', '/api/verify/code', { body: { code: '' } })).status, 429);

    t.clock.advance(5 * 60_000);
    assert.equal((await byCode()).status, 429, 'still inside the window');
    t.clock.advance(5 * 60_000 + 1);
    assert.equal((await byCode()).status, 200, 'the window has slid past the first requests');
  });

  test('staff and signing routes are not affected', async () => {
    assert.equal((await t.request('GET', '/api/agreement-templates', { token: mediator })).status, 200);
  });
});

describe('SEAL_ORGANISATION', () => {
  test('names the seal key and is the organisation of an agreement whose case has no mediation committee', async () => {
    assert.equal(t.config.sealOrganisation, ORG);
    const key = await t.services.agreement.finaliser.sealKey();
    assert.equal(key.signerName, sealCommonName(ORG));
    assert.equal(key.signerName, `${ORG} 电子印章`);

    const f = await caseWithSession(t, mediator);
    const created = await t.request('POST', `/api/sessions/${f.sessionId}/agreement`, { token: mediator, body: {} });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.revision.content.organisation, ORG);
  });
});
