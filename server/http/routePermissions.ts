import { staffRoles, type StaffRole } from '../protocol/roles.ts';

/*
 * Who may call each API route: the ONE table. Routes are registered through `routes.ts`'s
 * registrar, which looks the key up here and refuses to register a route that is not listed.
 *   'public'     no authentication (the handler may verify an invitation token itself)
 *   StaffRole[]  a valid staff token whose user has one of these roles
 */
export type RoutePermission = 'public' | readonly StaffRole[];

const ALL_STAFF = staffRoles;

export const routePermissions = {
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': ALL_STAFF,
  'GET /api/auth/me': ALL_STAFF,

  'GET /api/cases': ['mediator', 'supervisor', 'admin', 'official', 'gridworker'],
  'POST /api/cases': ['mediator', 'admin', 'gridworker'],
  'GET /api/cases/:caseId': ALL_STAFF,
  'GET /api/cases/:caseId/sessions': ALL_STAFF,
  'POST /api/cases/:caseId/sessions': ['mediator'],
  'GET /api/cases/:caseId/timeline': ALL_STAFF,
  'GET /api/cases/:caseId/timeline/verify': ALL_STAFF,

  'GET /api/sessions/:sessionId': ALL_STAFF,
  'POST /api/sessions/:sessionId/end': ['mediator'],
  'GET /api/sessions/:sessionId/invitations': ['mediator'],
  'POST /api/sessions/:sessionId/invitations': ['mediator'],
  'GET /api/sessions/:sessionId/media': ['mediator', 'supervisor', 'admin'],
  'GET /api/sessions/:sessionId/participations': ALL_STAFF,

  'POST /api/invitations/:invitationId/revoke': ['mediator'],
  /** Public: the invitation token in `Authorization: Bearer` is verified by the handler. */
  'GET /api/invitation': 'public',

  'GET /api/health': 'public',
} as const satisfies Record<string, RoutePermission>;

export type RouteKey = keyof typeof routePermissions;

export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

export function permissionFor(key: string): RoutePermission | undefined {
  return Object.hasOwn(routePermissions, key) ? (routePermissions as Record<string, RoutePermission>)[key] : undefined;
}
