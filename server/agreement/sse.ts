import type { Request, Response } from 'express';
import type { AgreementHub } from './AgreementHub.ts';

const SSE_HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events for a case's documents in the room: `event: <name>` with the full view
 * (`load()`, null before one exists) at once and on every change the hub announces for the case.
 * Sends run one after another, so views arrive in order.
 */
export function serveCaseEvents(req: Request, res: Response, hub: AgreementHub, caseId: string, name: string, load: () => Promise<unknown>): void {
  res.status(200).set({
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.flushHeaders();
  let closed = false;
  let sending = Promise.resolve();
  const send = (): void => {
    sending = sending
      .then(async () => {
        if (closed) return;
        const view = await load();
        if (!closed) res.write(`event: ${name}\ndata: ${JSON.stringify(view)}\n\n`);
      })
      .catch(() => undefined);
  };
  const unsubscribe = hub.subscribe(caseId, send);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), SSE_HEARTBEAT_MS);
  heartbeat.unref();
  req.on('close', () => {
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
  });
  send();
}
