import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Browser tests serve a private copy of client/dist, taken when the test server starts.
 *
 * client/dist is shared: anyone may run `vite build` while a browser test runs, and vite empties
 * the folder first and writes new hashed file names. Serving the live folder then fails at
 * random: index.html missing (404), or the page loaded but its lazy chunks (the login page is one)
 * gone, so the test fails at the staff login step. A snapshot is taken only when it is complete
 * (every file index.html and the chunks refer to is there, and nothing changed while copying).
 */
export const CLIENT_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../client/dist');

function listing(dir: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${path.relative(dir, p)}:${st.size}:${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out.join('\n');
}

/** What is missing from a built client in `dir` (empty when complete). */
export function missingClientFiles(dir: string): string[] {
  const index = path.join(dir, 'index.html');
  if (!existsSync(index)) return ['index.html'];
  const missing = new Set<string>();
  const html = readFileSync(index, 'utf8');
  for (const m of html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)) if (!existsSync(path.join(dir, m[1]!))) missing.add(m[1]!);
  const assets = path.join(dir, 'assets');
  if (existsSync(assets)) {
    for (const name of readdirSync(assets).filter((n) => n.endsWith('.js'))) {
      const code = readFileSync(path.join(assets, name), 'utf8');
      // Chunk imports ("./StaffRoutes-abc.js") and vite's preload map ("assets/agreement-abc.css").
      for (const m of code.matchAll(/["'`](?:\.\/|assets\/)([\w.-]+\.(?:js|css))["'`]/g)) {
        if (!existsSync(path.join(assets, m[1]!))) missing.add(`assets/${m[1]!}`);
      }
    }
  }
  return [...missing];
}

/**
 * Copies client/dist to `dest` once it is complete and stable; waits while a build is in
 * progress (up to `timeoutMs`). Returns `dest`, or null when there is no built client at all.
 */
export async function snapshotClient(dest: string, timeoutMs = 90_000): Promise<string | null> {
  if (!existsSync(CLIENT_DIST)) return null;
  const deadline = Date.now() + timeoutMs;
  let problem: string;
  for (;;) {
    try {
      const before = listing(CLIENT_DIST);
      const missing = missingClientFiles(CLIENT_DIST);
      if (missing.length === 0) {
        rmSync(dest, { recursive: true, force: true });
        cpSync(CLIENT_DIST, dest, { recursive: true });
        if (listing(CLIENT_DIST) === before && missingClientFiles(dest).length === 0) return dest;
        problem = 'client/dist changed while it was copied';
      } else {
        problem = `client/dist is incomplete (missing ${missing.slice(0, 3).join(', ')})`;
      }
    } catch (error) {
      problem = `client/dist changed while it was read (${(error as Error).message})`;
    }
    if (Date.now() > deadline) throw new Error(`${problem}: is a client build still running? (npx vite build --config client/vite.config.ts)`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
