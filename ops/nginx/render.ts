import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/*
 * Fills in ops/nginx/cluster.conf.template, the cluster's one nginx configuration: the routing
 * policy lives in the template, this file only repeats its per-node blocks and adds what differs
 * between callers (docker-compose.cluster.yml runs it as a one-shot container; the tests import it).
 * Node built-ins only, so the app image runs it with the repository's ops/nginx mounted.
 *
 *   node --import tsx ops/nginx/render.ts --listen 80 --node a=node-a:3000 --node b=node-b:3000 [--resolver 127.0.0.11] [--out FILE]
 */

export const TEMPLATE_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'cluster.conf.template');

export interface ClusterNode {
  /** NODE_ID: what `?node=` and the cm_node cookie name. */
  id: string;
  /** host:port the proxy reaches the node at. */
  address: string;
}

export interface RenderOptions {
  nodes: ClusterNode[];
  /** nginx `listen` argument: `80`, `127.0.0.1:8080`. */
  listen: string;
  /** Directives in the main context (e.g. `user root;`). */
  main?: string[];
  /** Directives in the http context (e.g. temp paths). */
  http?: string[];
  /** Directives in the server context (e.g. a debug header). */
  server?: string[];
  /**
   * A DNS server (e.g. Docker's 127.0.0.11): node names are then looked up while nginx runs
   * (`resolve`, nginx 1.27.3+), so a node that is down when nginx starts, or comes back with
   * another address, is no problem. Without it, names are looked up once at start.
   */
  resolver?: string;
}

const NODE_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;
const ADDRESS = /^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9a-fA-F:.]+\]:\d{1,5}$/;

export function renderClusterConf(options: RenderOptions, template = readFileSync(TEMPLATE_FILE, 'utf8')): string {
  const { nodes } = options;
  if (nodes.length === 0) throw new Error('a cluster needs at least one node');
  for (const n of nodes) {
    // `default`, `hostnames`, `include`, `volatile` are words of nginx's map block.
    if (!NODE_ID.test(n.id) || ['default', 'hostnames', 'include', 'volatile'].includes(n.id)) throw new Error(`node id "${n.id}": lower-case letters, digits and dashes, at most 32 (like NODE_ID)`);
    if (!ADDRESS.test(n.address)) throw new Error(`node ${n.id}: address "${n.address}" is not host:port`);
  }
  if (new Set(nodes.map((n) => n.id)).size !== nodes.length) throw new Error('node ids must be unique');
  const fill = (text: string, n: ClusterNode) => text.replaceAll('{{id}}', n.id).replaceAll('{{address}}', n.address);
  const block = (name: string) => new RegExp(`^\\{\\{#${name}\\}\\}\\n([\\s\\S]*?)^\\{\\{/${name}\\}\\}\\n`, 'gm');
  const resolver = options.resolver ? [`resolver ${options.resolver} valid=10s ipv6=off;`] : [];
  const extra = { main: options.main, http: [...resolver, ...(options.http ?? [])], server: options.server };
  const out = template
    .replace(block('nodes'), (_, body: string) =>
      nodes
        .map((n) =>
          fill(
            body.replace(block('others'), (_o, inner: string) =>
              nodes
                .filter((o) => o !== n)
                .map((o) => fill(inner, o))
                .join(''),
            ),
            n,
          ),
        )
        .join(''),
    )
    .replaceAll('{{listen}}', options.listen)
    .replaceAll('{{resolve}}', options.resolver ? ' resolve' : '')
    // A line of its own, indented like the placeholder; nothing at all when there is nothing to add.
    .replace(/^([ \t]*)\{\{(main|http|server)\}\}\n/gm, (_, indent: string, name: keyof typeof extra) =>
      (extra[name] ?? []).map((d) => `${indent}${d}\n`).join(''),
    );
  const left = out.match(/\{\{[^}]*\}\}/);
  if (left) throw new Error(`cluster.conf.template: ${left[0]} was not filled in`);
  return out;
}

/** `a=node-a:3000` → { id: 'a', address: 'node-a:3000' } */
export function parseNode(spec: string): ClusterNode {
  const i = spec.indexOf('=');
  if (i <= 0) throw new Error(`--node ${spec}: expected <id>=<host>:<port>`);
  return { id: spec.slice(0, i), address: spec.slice(i + 1) };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string', default: '80' },
      node: { type: 'string', multiple: true, default: [] },
      resolver: { type: 'string' },
      out: { type: 'string' },
    },
  });
  try {
    const conf = renderClusterConf({
      listen: values.listen,
      nodes: values.node.map(parseNode),
      ...(values.resolver ? { resolver: values.resolver } : {}),
    });
    if (values.out) writeFileSync(values.out, conf);
    else process.stdout.write(conf);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}
