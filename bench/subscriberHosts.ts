/**
 * Parent side of bench/weriftSubscribers.ts: forks the child processes that host the WebRTC
 * subscribers, spreads subscribers over them, and answers "how many RTP packets has each
 * subscriber decrypted, and how much CPU has each child used".
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SubscriberReply, SubscriberRequest } from './weriftSubscribers.ts';

type AddRequest = Extract<SubscriberRequest, { type: 'add' }>;
type Fingerprints = { algorithm: string; value: string }[];

interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: Error) => void;
}

export interface HostCounts {
  /** Subscriber id → RTP packets it decrypted so far, and how many it should have (by sequence numbers). */
  packets: Map<number, [received: number, expected: number]>;
  /** Per child process: CPU µs used so far (user + system). */
  cpuUs: number[];
}

export class SubscriberHosts {
  private readonly children: ChildProcess[] = [];
  private readonly answers = new Map<number, Waiter<Fingerprints>>();
  private readonly connected = new Map<number, Waiter<number | null>>();
  private readonly countWaiters = new Map<number, { left: number; acc: HostCounts; w: Waiter<HostCounts> }>();
  private seq = 0;
  private closed = false;

  constructor(count: number) {
    const script = fileURLToPath(new URL('./weriftSubscribers.ts', import.meta.url));
    for (let i = 0; i < count; i++) {
      const child = fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      child.on('message', (m: SubscriberReply) => this.onReply(i, m));
      child.on('exit', (code) => {
        if (!this.closed) this.failAll(new Error(`subscriber host ${i} exited (code ${code})`));
      });
      this.children.push(child);
    }
  }

  get pids(): number[] {
    return this.children.map((c) => c.pid ?? 0);
  }

  private onReply(child: number, m: SubscriberReply): void {
    const handlers: { [K in SubscriberReply['type']]: (m: Extract<SubscriberReply, { type: K }>) => void } = {
      answer: (r) => {
        this.answers.get(r.id)?.resolve(r.fingerprints);
        this.answers.delete(r.id);
      },
      connected: (r) => {
        this.connected.get(r.id)?.resolve(r.srtpProfile);
        this.connected.delete(r.id);
      },
      failed: (r) => {
        const e = new Error(`subscriber ${r.id}: ${r.error}`);
        this.answers.get(r.id)?.reject(e);
        this.connected.get(r.id)?.reject(e);
        this.answers.delete(r.id);
        this.connected.delete(r.id);
      },
      counts: (r) => {
        const w = this.countWaiters.get(r.seq);
        if (!w) return;
        for (const [id, n] of Object.entries(r.packets)) w.acc.packets.set(Number(id), n);
        w.acc.cpuUs[child] = r.cpuUs;
        if (--w.left === 0) {
          this.countWaiters.delete(r.seq);
          w.w.resolve(w.acc);
        }
      },
    };
    (handlers[m.type] as (r: SubscriberReply) => void)(m);
  }

  private failAll(e: Error): void {
    for (const w of [...this.answers.values(), ...this.connected.values()]) w.reject(e);
    for (const w of this.countWaiters.values()) w.w.reject(e);
    this.answers.clear();
    this.connected.clear();
    this.countWaiters.clear();
  }

  private childFor(id: number): ChildProcess {
    return this.children[id % this.children.length]!;
  }

  /** Sends the SFU's side to a subscriber; resolves with its DTLS fingerprints (for transport.connect). */
  offer(req: AddRequest): { answer: Promise<Fingerprints>; connected: Promise<number | null> } {
    const answer = new Promise<Fingerprints>((resolve, reject) => this.answers.set(req.id, { resolve, reject }));
    const connected = new Promise<number | null>((resolve, reject) => this.connected.set(req.id, { resolve, reject }));
    // Either may be rejected (a host exits) before the caller awaits it: not an unhandled rejection.
    answer.catch(() => undefined);
    connected.catch(() => undefined);
    this.childFor(req.id).send(req);
    return { answer, connected };
  }

  counts(): Promise<HostCounts> {
    const seq = ++this.seq;
    const p = new Promise<HostCounts>((resolve, reject) =>
      this.countWaiters.set(seq, {
        left: this.children.length,
        acc: { packets: new Map(), cpuUs: this.children.map(() => 0) },
        w: { resolve, reject },
      }),
    );
    for (const c of this.children) c.send({ type: 'counts', seq } satisfies SubscriberRequest);
    return p;
  }

  /** Closes one subscriber's peer connection. */
  remove(id: number): void {
    this.childFor(id).send({ type: 'close', id } satisfies SubscriberRequest);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.children) c.kill('SIGKILL');
  }
}
