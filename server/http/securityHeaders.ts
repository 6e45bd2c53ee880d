import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { Config } from '../config.ts';

/**
 * The Content-Security-Policy of every document the server sends (`/`, `/join`, `/sign`,
 * `/verify`, the SPA fallback) and of the static assets. The pages keep tokens in
 * sessionStorage, so nothing but our own scripts may run: no inline script, no eval, no
 * plugin, no framing. What the client needs, and nothing more:
 *   connect-src  the API and socket.io (same origin; the ws/wss form spelled out for browsers
 *                that do not count it as 'self')
 *   img-src      data: for the invitation and follow-up QR codes (SVG data URLs), the CSS select
 *                arrow and drawn signatures; blob: for downloaded files
 *                and the grid map's tile server's origin when GRID_MAP_TILE_URL is set
 *   media-src    mediastream: and blob: for the call's video and audio elements
 */
export function documentCspDirectives(config: Config): Record<string, string[]> {
  const origin = new URL(config.publicUrl);
  const socketOrigin = `${origin.protocol === 'https:' ? 'wss:' : 'ws:'}//${origin.host}`;
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:', ...(config.gridMapTileUrl ? [new URL(config.gridMapTileUrl.replace(/[{}]/g, '')).origin] : [])],
    'media-src': ["'self'", 'mediastream:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", socketOrigin],
    'worker-src': ["'self'"],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
  };
  // Only behind HTTPS: on plain http (localhost, tests) it would point every request at https.
  if (origin.protocol === 'https:') directives['upgrade-insecure-requests'] = [];
  return directives;
}

/**
 * Security headers for every response, through helmet: the document CSP above, HSTS when the
 * public URL is https, no framing, no sniffing, no referrer, isolated browsing context. The API
 * narrows the CSP further (apiHeaders in middleware.ts).
 */
export function securityHeaders(config: Config): RequestHandler[] {
  const https = config.publicUrl.startsWith('https://');
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: documentCspDirectives(config) },
    strictTransportSecurity: https ? { maxAge: 15_552_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
    originAgentCluster: true,
    xDnsPrefetchControl: { allow: false },
    xPermittedCrossDomainPolicies: { permittedPolicies: 'none' },
  });
  const permissions: RequestHandler = (_req, res, next) => {
    // helmet does not set Permissions-Policy: camera, microphone, screen capture and location (the
    // report form's "use my location", asked only after the citizen consents) for this origin only.
    res.set('Permissions-Policy', 'camera=(self), microphone=(self), display-capture=(self), geolocation=(self), payment=()');
    next();
  };
  return [headers, permissions];
}
