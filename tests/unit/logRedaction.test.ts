import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/*
 * The logger removes personal data and secrets by field name and inside strings, whatever a
 * caller passes: nested fields, error messages and stacks, links with tokens, SMS text.
 * Runs the logger in a child process and reads what it writes to stdout.
 */

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const loggerUrl = pathToFileURL(path.join(root, 'server/logger.ts')).href;

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEiLCJpc3MiOiJjbG91ZC1tZWRpYXRpb24ifQ.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWc';
const SIGNING = 'sl_Q2xvdWRNZWRpYXRpb25TaWduaW5nTGlua1Rva2VuMDEyMzQ1';
const FOLLOW_UP = 'Rm9sbG93VXBMaW5rVG9rZW4tMDEyMzQ1Njc4OWFiY2RlZmdoaWpr';
const PHONE = '13812345678';
const ID = '11010519491231002X';
const OTP = '482913';
const QUERY = 'K7PD-3MQX';

async function logLines(script: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `const { createLogger, setLogLevel } = await import(${JSON.stringify(loggerUrl)});\n${script}`],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
    },
  );
  return stdout + stderr;
}

test('fields named like secrets are redacted at any of the first three levels', async () => {
  const out = await logLines(`
    const log = createLogger('t');
    log.info('party', { phone: '${PHONE}', idNumber: '${ID}', token: '${FOLLOW_UP}', otp: '${OTP}' });
    log.info('nested', { party: { phone: '${PHONE}', contact: { idNumber: '${ID}' } }, queryCode: '${QUERY}' });
    log.info('headers', { req: { headers: { authorization: 'Bearer ${JWT}', cookie: 'a=b' } } });
  `);
  for (const secret of [PHONE, ID, FOLLOW_UP, OTP, QUERY, JWT]) assert.ok(!out.includes(secret), `${secret} in\n${out}`);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.equal(lines[0].phone, '[redacted]');
  assert.equal(lines[1].party.contact.idNumber, '[redacted]');
  assert.equal(lines[0].scope, 't');
  assert.equal(lines[0].level, 'info');
  assert.match(lines[0].time, /^\d{4}-\d\d-\d\dT/);
});

test('TURN: the shared secret, minted passwords and the ice servers carrying them are redacted by field', async () => {
  const TURN_SECRET = 'north-gate-coturn-shared-secret-2026-0123456789';
  const PASSWORD = '2wA20L4JshD1I5PaAgx5S5s4BJE=';
  const out = await logLines(`
    const log = createLogger('t');
    log.info('transport', { options: { id: 't1', iceServers: [{ urls: ['turn:x'], username: '1767225600:user:u1', credential: '${PASSWORD}' }] } });
    log.info('turn', { turn: { urls: ['turn:x'], secret: '${TURN_SECRET}' }, credential: '${PASSWORD}', turnSecret: '${TURN_SECRET}' });
  `);
  for (const secret of [TURN_SECRET, PASSWORD]) assert.ok(!out.includes(secret), `${secret} in\n${out}`);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines[0].options.iceServers, '[redacted]');
  assert.equal(lines[0].options.id, 't1');
  assert.equal(lines[1].credential, '[redacted]');
});

test('secrets inside strings are scrubbed: messages, error messages and stacks, links, SMS text', async () => {
  const out = await logLines(`
    const log = createLogger('t');
    log.warn('join link http://x/join#t=${JWT} for ${PHONE}');
    log.error('failed', { err: new Error('no party with ID ${ID} or phone +86 ${PHONE}'), url: 'https://x/sign#t=${SIGNING}' });
    log.info('sms', { text: '【云调解】您正在签署调解协议，验证码${OTP}，10分钟内有效。', query: '/api/x?token=${FOLLOW_UP}&code=${OTP}' });
    log.info('receipt', { note: '查询码 ${QUERY}', raw: '${FOLLOW_UP}' });
  `);
  for (const secret of [PHONE, ID, JWT, SIGNING, FOLLOW_UP, OTP, QUERY]) assert.ok(!out.includes(secret), `${secret} in\n${out}`);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines[0].msg, 'join link http://x/join#t=[redacted] for [phone]');
  assert.equal(lines[1].err.type, 'Error');
  assert.match(lines[1].err.message, /\[id-number\].*\[phone\]/);
  assert.ok(lines[1].err.stack.length > 0, 'the stack is kept (scrubbed)');
});

test('ids, hashes and ordinary numbers stay readable', async () => {
  const out = await logLines(`
    const log = createLogger('t');
    log.info('sealed', { agreementId: 'mQ3v9Xk2LrT8pWz0bN4cDg', sha256: '${'ab12'.repeat(16)}', caseNumber: 'DY-2026-000123', ms: 1234567, size: 18000 });
  `);
  const line = JSON.parse(out.trim());
  assert.equal(line.agreementId, 'mQ3v9Xk2LrT8pWz0bN4cDg');
  assert.equal(line.sha256, 'ab12'.repeat(16));
  assert.equal(line.caseNumber, 'DY-2026-000123');
  assert.equal(line.ms, 1234567);
});

test('the level comes from setLogLevel (LOG_LEVEL through server/config.ts), not from the environment, and applies to existing loggers', async () => {
  const out = await logLines(
    `
    const early = createLogger('early');
    early.debug('hidden at the default level');
    setLogLevel('debug');
    early.debug('shown after setLogLevel');
    early.child('sub').debug('child too');
    setLogLevel('silent');
    early.error('silent hides errors too');
  `,
    { LOG_LEVEL: 'debug' },
  );
  const msgs = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).msg);
  assert.deepEqual(msgs, ['shown after setLogLevel', 'child too']);
});
