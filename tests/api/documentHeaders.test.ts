import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { startFullServer, type FullServer } from '../helpers/fullServer.ts';

/*
 * Every HTML document (the pages hold tokens in sessionStorage) carries a strict
 * Content-Security-Policy, and the document is cached the same way however it is asked for.
 * (tests/e2e/mediation-call.test.ts shows the pages work under it in Chromium.)
 */

const DOCUMENTS = ['/', '/index.html', '/login', '/join', '/sign', '/verify', '/report', '/query', '/cases/some-case', '/session/abc'];

function directives(header: string | null): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of (header ?? '').split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) out.set(name, values);
  }
  return out;
}

describe('document headers', () => {
  let server: FullServer;

  before(async () => {
    assert.ok(existsSync('client/dist/index.html'), 'client bundle missing: run scripts/setup.sh first');
    server = await startFullServer();
  });
  after(async () => server?.close());

  test('every document has a strict CSP: own scripts only, no plugins, no framing, socket.io allowed', async () => {
    for (const path of DOCUMENTS) {
      const res = await fetch(server.baseUrl + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/, path);
      const csp = directives(res.headers.get('content-security-policy'));
      assert.deepEqual(csp.get('script-src'), ["'self'"], `${path} script-src`);
      assert.deepEqual(csp.get('object-src'), ["'none'"], `${path} object-src`);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], `${path} frame-ancestors`);
      assert.deepEqual(csp.get('base-uri'), ["'none'"], `${path} base-uri`);
      assert.deepEqual(csp.get('default-src'), ["'self'"], `${path} default-src`);
      const connect = csp.get('connect-src') ?? [];
      assert.ok(connect.includes("'self'") && connect.includes(server.baseUrl.replace(/^http/, 'ws')), `${path} connect-src ${connect}`);
      assert.ok((csp.get('img-src') ?? []).includes('data:'), 'QR codes are data: images');
      assert.ok((csp.get('media-src') ?? []).includes('mediastream:'), 'call media');
      const all = res.headers.get('content-security-policy') ?? '';
      assert.doesNotMatch(all, /unsafe-inline|unsafe-eval|\*/, `${path}: ${all}`);
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.match(res.headers.get('permissions-policy') ?? '', /camera=\(self\)/);
      assert.equal(res.headers.get('strict-transport-security'), null, 'no HSTS on plain http');
    }
  });

  test('/ and /index.html have the same caching headers (always revalidated); hashed assets are cached', async () => {
    const root = await fetch(server.baseUrl + '/');
    const index = await fetch(server.baseUrl + '/index.html');
    const spa = await fetch(server.baseUrl + '/join');
    for (const name of ['cache-control', 'content-security-policy', 'content-type']) {
      assert.equal(index.headers.get(name), root.headers.get(name), name);
      assert.equal(spa.headers.get(name), root.headers.get(name), name);
    }
    assert.equal(root.headers.get('cache-control'), 'no-cache');
    assert.equal(index.headers.has('last-modified'), root.headers.has('last-modified'));
    assert.equal(index.headers.has('etag'), root.headers.has('etag'));
    const html = await root.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, 'the document names its script');
    const js = await fetch(server.baseUrl + asset);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /max-age=\d+/);
  });

  test('a malformed percent-encoding in a document path is never a 500', async () => {
    for (const path of ['/%E0%A4%A', '/assets/%E0%A4%A.js', '/index.html%zz']) {
      const res = await fetch(server.baseUrl + path);
      assert.ok(res.status < 500, `${path}: ${res.status}`);
    }
  });

  test('the API keeps its narrower policy', async () => {
    const res = await fetch(server.baseUrl + '/api/health');
    assert.equal(directives(res.headers.get('content-security-policy')).get('default-src')?.[0], "'none'");
    assert.equal(res.headers.get('cache-control'), 'no-store');
  });
});
