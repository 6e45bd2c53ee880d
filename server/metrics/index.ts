export { Metrics, type MediaSource } from './Metrics.ts';
export { httpMetrics, metricsEndpoint } from './http.ts';
export { countRateLimitRefusal } from './rateLimit.ts';
