import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { renderClusterConf } from '../../../ops/nginx/render.ts';

const NGINX = process.env.NGINX_BIN ?? '/usr/sbin/nginx';
const work = mkdtempSync(path.join(os.tmpdir(), 'cm-nginx-render-'));
after(() => rmSync(work, { recursive: true, force: true }));

const three = [
  { id: 'a', address: '127.0.0.1:3001' },
  { id: 'b', address: '127.0.0.1:3002' },
  { id: 'node-3', address: '127.0.0.1:3003' },
];

test('each node gets an upstream of its own with every other node as backup, and a map entry', () => {
  const conf = renderClusterConf({ listen: '8080', nodes: three });
  for (const n of three) {
    const block = conf.match(new RegExp(`upstream cm_node_${n.id} \\{([^}]*)\\}`))?.[1] ?? '';
    assert.match(block, new RegExp(`server ${n.address} max_fails=1 fail_timeout=5s;`), `cm_node_${n.id}`);
    for (const o of three.filter((o) => o !== n)) assert.match(block, new RegExp(`server ${o.address} backup;`), `cm_node_${n.id} backs up to ${o.id}`);
    assert.match(conf, new RegExp(`^ +${n.id} cm_node_${n.id};$`, 'm'));
  }
  assert.doesNotMatch(conf, /\{\{|^ +server .* resolve|^ +resolver /m);
});

test('--resolver: node names are looked up while nginx runs', () => {
  const conf = renderClusterConf({ listen: '80', nodes: [{ id: 'a', address: 'node-a:3000' }, { id: 'b', address: 'node-b:3000' }], resolver: '127.0.0.11' });
  assert.match(conf, /^ {4}resolver 127\.0\.0\.11 valid=10s ipv6=off;$/m);
  const servers = conf.match(/^ +server node-.*$/gm) ?? [];
  assert.equal(servers.length, 2 + 2 + 2 * 2);
  for (const line of servers) assert.match(line, /^ +server node-[ab]:3000 resolve /);
});

test('node ids are NODE_IDs, unique, and not words of the map block', () => {
  assert.throws(() => renderClusterConf({ listen: '80', nodes: [] }), /at least one node/);
  assert.throws(() => renderClusterConf({ listen: '80', nodes: [{ id: 'A', address: 'x:1' }] }), /node id "A"/);
  assert.throws(() => renderClusterConf({ listen: '80', nodes: [{ id: 'default', address: 'x:1' }] }), /node id "default"/);
  assert.throws(() => renderClusterConf({ listen: '80', nodes: [{ id: 'a', address: 'x' }] }), /not host:port/);
  assert.throws(() => renderClusterConf({ listen: '80', nodes: [{ id: 'a', address: 'x:1' }, { id: 'a', address: 'y:1' }] }), /unique/);
  assert.throws(() => renderClusterConf({ listen: '80', nodes: three }, '{{listen}} {{nope}}\n'), /\{\{nope\}\} was not filled in/);
});

test('nginx accepts the rendered configuration', { skip: !existsSync(NGINX) && `no nginx at ${NGINX}` }, () => {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => {
    mkdirSync(path.join(work, t), { recursive: true });
    return `${t}_temp_path ${path.join(work, t)};`;
  });
  const file = path.join(work, 'nginx.conf');
  writeFileSync(file, renderClusterConf({ listen: '127.0.0.1:1', nodes: three, http: temp, server: ['add_header X-Upstream-Addr $upstream_addr always;'] }));
  const out = execFileSync(NGINX, ['-t', '-p', work, '-c', file, '-g', `pid ${path.join(work, 'nginx.pid')}; error_log ${path.join(work, 'error.log')};`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(out, '');
});
