import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MAX_ATTACHMENT_BYTES } from '../../server/cases/AttachmentService.ts';
import { startTestServer, type TestServer } from '../helpers/httpServer.ts';
import { LONG_LOGINS, caseIn, setupWorld, type LoopWorld } from './caseloopHelpers.ts';

let t: TestServer;
let w: LoopWorld;
let caseId: string;

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake-png-body')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('fake-jpeg-body')]);
const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n');

async function upload(body: Buffer, contentType: string | undefined, opts: { who?: string; name?: string; id?: string } = {}) {
  const headers: Record<string, string> = { authorization: `Bearer ${w.tok[opts.who ?? 'mediator1']}` };
  if (contentType) headers['content-type'] = contentType;
  if (opts.name !== undefined) headers['x-filename'] = encodeURIComponent(opts.name);
  const res = await fetch(`${t.baseUrl}/api/cases/${opts.id ?? caseId}/attachments`, { method: 'POST', headers, body: new Uint8Array(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
}

const dir = () => path.join(t.config.dataDir, 'attachments');
const filesOnDisk = () => (existsSync(dir()) ? readdirSync(dir()).sort() : []);
const rows = () => t.testDb.db.attachment.count();

before(async () => {
  t = await startTestServer(LONG_LOGINS);
  w = await setupWorld(t);
  caseId = await caseIn(w, 'assigned');
});
after(async () => t.close());

describe('attachments', () => {
  test('PNG, JPEG and PDF are stored under DATA_DIR/attachments with a random name; listed and downloaded by staff', async () => {
    const png = await upload(PNG, 'image/png', { name: '现场照片.png' });
    assert.equal(png.status, 201, png.text);
    assert.deepEqual([png.body.originalName, png.body.mimeType, png.body.size], ['现场照片.png', 'image/png', PNG.length]);
    assert.equal(png.body.sha256, createHash('sha256').update(PNG).digest('hex'));
    t.clock.advance(1000);
    const jpg = await upload(JPEG, 'image/jpeg; charset=binary', { who: 'grid1' });
    assert.equal(jpg.status, 201, jpg.text);
    assert.equal(jpg.body.originalName, 'attachment.jpg');
    t.clock.advance(1000);
    const pdf = await upload(PDF, 'application/pdf', { who: 'supervisor1', name: '../../etc/合同.pdf' });
    assert.equal(pdf.status, 201, pdf.text);
    assert.equal(pdf.body.originalName, '合同.pdf', 'path parts are dropped');

    const files = filesOnDisk();
    assert.equal(files.length, 3);
    for (const f of files) assert.match(f, /^[A-Za-z0-9_-]{22}\.(png|jpg|pdf)$/, 'random stored names, no user input');

    const list = await t.request('GET', `/api/cases/${caseId}/attachments`, { token: w.tok.supervisor1 });
    assert.deepEqual(
      list.body.map((a: { id: string }) => a.id),
      [png.body.id, jpg.body.id, pdf.body.id],
    );
    assert.equal((await t.request('GET', `/api/cases/${caseId}/attachments`, { token: w.tok.admin1 })).status, 403);

    const dl = await fetch(`${t.baseUrl}/api/cases/${caseId}/attachments/${png.body.id}`, { headers: { authorization: `Bearer ${w.tok.mediator1}` } });
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-type'), 'image/png');
    assert.match(dl.headers.get('content-disposition') ?? '', /^attachment; filename="[^"]*"; filename\*=UTF-8''%E7%8E%B0/);
    assert.equal(dl.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(dl.headers.get('cache-control'), 'no-store');
    assert.ok(Buffer.from(await dl.arrayBuffer()).equals(PNG));
    const other = await caseIn(w, 'reported');
    assert.equal(
      (await t.request('GET', `/api/cases/${other}/attachments/${png.body.id}`, { token: w.tok.mediator1 })).status,
      404,
      'attachment of another case',
    );

    const tl = await t.services.cases.timeline(caseId);
    assert.equal(tl.filter((e) => e.type === 'attachment.added').length, 3);
  });

  test('refused uploads (wrong magic, wrong type, empty, oversize, unknown case) leave no file and no row', async () => {
    const files = filesOnDisk();
    const count = await rows();
    const timeline = await t.testDb.db.timelineEntry.count();
    const cases: Array<[string, Buffer, string | undefined, RegExp]> = [
      ['PNG header on a PDF body', PDF, 'image/png', /not image\/png/],
      ['PDF header on an executable', Buffer.from('MZ\x90\x00 this is not a pdf'), 'application/pdf', /not application\/pdf/],
      ['HTML claiming JPEG', Buffer.from('<html><script>alert(1)</script></html>'), 'image/jpeg', /not image\/jpeg/],
      ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml', /Unsupported file type/],
      ['no content type', PNG, undefined, /Unsupported file type/],
      ['JSON', Buffer.from('{"a":1}'), 'application/json', /Unsupported file type/],
      ['empty', Buffer.alloc(0), 'image/png', /empty/],
      ['oversize', Buffer.concat([PNG, Buffer.alloc(MAX_ATTACHMENT_BYTES)]), 'image/png', /too large/],
    ];
    for (const [what, body, type, re] of cases) {
      const res = await upload(body, type);
      assert.ok(res.status >= 400 && res.status < 500, `${what}: ${res.status}`);
      assert.match(res.body.message, re, what);
    }
    assert.equal((await upload(PNG, 'image/png', { id: 'no-such-case' })).status, 404);
    assert.equal((await upload(PNG, 'image/png', { who: 'admin1' })).status, 403);
    assert.deepEqual(filesOnDisk(), files, 'nothing on disk');
    assert.equal(await rows(), count, 'nothing in the database');
    assert.equal(await t.testDb.db.timelineEntry.count(), timeline);
  });

  test('exactly 10 MB is accepted', async () => {
    const big = Buffer.concat([PDF, Buffer.alloc(MAX_ATTACHMENT_BYTES - PDF.length, 0x20)]);
    const res = await upload(big, 'application/pdf', { name: 'scan.pdf' });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.body.size, MAX_ATTACHMENT_BYTES);
  });
});
