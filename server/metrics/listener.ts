import { createServer, type Server } from 'node:http';
import express from 'express';
import { metricsEndpoint } from './http.ts';
import type { Metrics } from './Metrics.ts';

/**
 * METRICS_LISTEN: a separate HTTP listener that serves only GET /metrics, meant for an internal
 * address (127.0.0.1:9464, a management network). METRICS_TOKEN, if set, is required here too.
 */
export async function listenForMetrics(metrics: Metrics, listen: { host: string; port: number }, token: string | undefined): Promise<Server> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsEndpoint(metrics, token, { open: true }));
  app.use((_req, res) => {
    res.status(404).json({ code: 'not_found', message: 'Only /metrics is served here' });
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
