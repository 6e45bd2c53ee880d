import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';

/*
 * Input the HTTP stack itself chokes on (path decoding, body decompression, body size) is the
 * client's fault: 400 (413 when too large) with an error code, never a 500.
 */

let t: TestServer;
let token: string;

before(async () => {
  t = await startTestServer();
  await t.createUser('m1', 'mediator');
  token = (await t.login('m1')).token;
});
after(async () => t.close());

describe('malformed requests answer 4xx, not 500', () => {
  test('a malformed percent-encoding in a path parameter → 400 bad_request', async () => {
    for (const path of ['/api/sessions/%E0%A4%A/agreement', '/api/cases/%E0%A4%A', '/api/cases/%zz/timeline']) {
      for (const auth of [token, undefined]) {
        const res = await t.request('GET', path, { token: auth });
        assert.equal(res.status, 400, `${path} ${auth ? 'with' : 'without'} a token: ${res.text}`);
        assert.equal(res.body.code, 'bad_request');
        assert.match(res.body.message, /percent-encoding/);
      }
    }
  });

  test('Content-Encoding: gzip on a body that is not gzip → 400 bad_request; real gzip still works', async () => {
    const body = JSON.stringify({ username: 'm1', password: 'correct-horse-battery' });
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const res = await t.request('POST', '/api/auth/login', { body, headers: { 'content-encoding': encoding } });
      assert.equal(res.status, 400, `${encoding}: ${res.text}`);
      assert.equal(res.body.code, 'bad_request');
      assert.match(res.body.message, /Content-Encoding/);
    }
    const truncated = gzipSync(Buffer.from(body)).subarray(0, 20);
    const cut = await fetch(`${t.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: new Uint8Array(truncated),
    });
    assert.equal(cut.status, 400, 'a truncated gzip body');
    const real = await fetch(`${t.baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: new Uint8Array(gzipSync(Buffer.from(body))),
    });
    assert.equal(real.status, 200);
  });

  test('an oversized body → 413 payload_too_large (JSON, attachment upload)', async () => {
    const json = await t.request('POST', '/api/cases', { token, body: { disputeType: 'labour', description: 'x'.repeat(100_000) } });
    assert.equal(json.status, 413, json.text);
    assert.equal(json.body.code, 'payload_too_large');

    const kase = await t.request('POST', '/api/cases', {
      token,
      body: { disputeType: 'labour', title: '欠薪', description: '工资未结清', parties: [{ side: 'applicant', name: '张三', phone: '13812345678' }] },
    });
    assert.equal(kase.status, 201, kase.text);
    const upload = await fetch(`${t.baseUrl}/api/cases/${kase.body.id}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/png', 'x-filename': 'big.png' },
      body: new Uint8Array(10 * 1024 * 1024 + 1),
    });
    assert.equal(upload.status, 413);
    assert.equal(((await upload.json()) as { code: string }).code, 'payload_too_large');
  });
});
