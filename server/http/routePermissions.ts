import { transitions } from '../caseloop/index.ts';
import { routedActions, type RoutedAction } from '../protocol/cases.ts';
import { staffRoles, type StaffRole } from '../protocol/roles.ts';

/*
 * Who may call each API route: the ONE table. Routes are registered through `app.ts`'s
 * registrar, which looks the key up here and refuses to register a route that is not listed.
 *   'public'     no authentication (the handler may verify an invitation or link token itself)
 *   StaffRole[]  a valid staff token whose user has one of these roles
 * Which case a caller may act on is the object rule of each route: server/http/routeObjects.ts
 * (rules in server/access/caseAccess.ts), applied by the same registrar after the role check.
 */
export type RoutePermission = 'public' | readonly StaffRole[];

const ALL_STAFF = staffRoles;
/** Staff who work on cases (not admin, who only configures). */
const CASE_WORKERS = ['mediator', 'supervisor', 'official', 'gridworker'] as const satisfies readonly StaffRole[];

/** The grid map: supervisors, mediators, grid workers and admins (officials work from their department's whistles). */
const MAP_READERS = ['mediator', 'supervisor', 'gridworker', 'admin'] as const satisfies readonly StaffRole[];

/** Case-loop actions: the roles come from the transitions table in server/caseloop/states.ts. */
const actionRoutes = Object.fromEntries(
  routedActions.map((a: RoutedAction) => [`POST /api/cases/:caseId/actions/${a}`, transitions[a].roles as RoutePermission]),
) as Record<`POST /api/cases/:caseId/actions/${RoutedAction}`, RoutePermission>;

export const routePermissions = {
  'POST /api/auth/login': 'public',
  /** Codec capabilities, the same for every room; nothing about anyone. */
  'GET /api/media/capabilities': 'public',
  'POST /api/auth/logout': ALL_STAFF,
  /** One's own password: the current one is checked under the login form's limits; the other logins end. */
  'POST /api/auth/password': ALL_STAFF,
  'GET /api/auth/me': ALL_STAFF,

  /** ?mine=1&state=&light=&unitId= — always in work-queue order (red first). */
  'GET /api/cases': ['mediator', 'supervisor', 'admin', 'official', 'gridworker'],
  'POST /api/cases': ['mediator', 'admin', 'gridworker'],
  'GET /api/cases/:caseId': ALL_STAFF,
  'GET /api/cases/:caseId/sessions': ALL_STAFF,
  'POST /api/cases/:caseId/sessions': ['mediator'],
  'GET /api/cases/:caseId/timeline': ALL_STAFF,
  'GET /api/cases/:caseId/timeline/verify': ALL_STAFF,

  // ---- case loop
  ...actionRoutes,
  'GET /api/cases/:caseId/routing-suggestion': ['supervisor', 'admin'],
  /** The lead mediator (checked by the service) or a supervisor; recorded on the timeline. */
  'GET /api/cases/:caseId/parties/:partyId/contact': ['mediator', 'supervisor'],
  'GET /api/cases/:caseId/attachments': CASE_WORKERS,
  'POST /api/cases/:caseId/attachments': CASE_WORKERS,
  'GET /api/cases/:caseId/attachments/:attachmentId': CASE_WORKERS,
  'GET /api/cases/:caseId/supervision-notes': ALL_STAFF,
  'POST /api/cases/:caseId/supervision-notes': ['supervisor'],
  'GET /api/supervision-notes': ['supervisor', 'admin', 'mediator', 'official'],
  'POST /api/supervision-notes/:noteId/answer': ['mediator', 'official'],
  'GET /api/cases/:caseId/whistles': ['mediator', 'supervisor', 'official', 'admin'],
  'POST /api/cases/:caseId/whistles': ['mediator'],
  'GET /api/whistles': ['official', 'mediator', 'supervisor', 'admin'],
  /** The official's header badge: open requests to their own department (the service reads their unit). */
  'GET /api/whistles/pending': ['official'],
  'POST /api/whistles/:whistleId/accept': ['official'],
  /** An open request: the mediator who made it or the case's lead (service), with a reason; recorded on the timeline. */
  'POST /api/whistles/:whistleId/cancel': ['mediator'],
  /** An open request: an official of the called department (service), with a reason; recorded on the timeline. */
  'POST /api/whistles/:whistleId/decline': ['official'],
  'GET /api/cases/:caseId/follow-ups': ALL_STAFF,
  'POST /api/cases/:caseId/followup-link': transitions.record_follow_up.roles,
  'GET /api/units': ALL_STAFF,
  'GET /api/staff': ['supervisor', 'admin'],
  'GET /api/stats': ['supervisor', 'admin'],
  'GET /api/stats/export.csv': ['supervisor', 'admin'],
  /** Performance assessment (server/assessment): a supervisor sees the units of their scope (service), an admin every unit. */
  'GET /api/assessment': ['supervisor', 'admin'],
  'GET /api/assessment/cases': ['supervisor', 'admin'],
  'GET /api/assessment/export.csv': ['supervisor', 'admin'],
  'GET /api/assessment/report.pdf': ['supervisor', 'admin'],

  // ---- the grid map (server/grids/http.ts)
  /** Grids with their figures over the caller's readable open cases (a grid worker's: their own grids'), and the centres. */
  'GET /api/grids': MAP_READERS,
  /** ?lng=&lat=: the grid holding a point (a click on the map). */
  'GET /api/grids/resolve': MAP_READERS,
  /** The grid's cases the caller may read (the list rule). */
  'GET /api/grids/:code/cases': MAP_READERS,
  /** The city's grid set as GeoJSON (application/geo+json): validated whole, then replaces the set in one transaction. */
  'POST /api/admin/grids/import': ['admin'],

  // ---- administration
  'GET /api/admin/routing-rules': ['admin', 'supervisor'],
  'PUT /api/admin/routing-rules': ['admin'],
  'GET /api/admin/assessment-weights': ['admin', 'supervisor'],
  'PUT /api/admin/assessment-weights': ['admin'],
  'GET /api/admin/settings': ['admin', 'supervisor'],
  'PUT /api/admin/settings': ['admin'],
  'POST /api/admin/units': ['admin'],
  'PUT /api/admin/units/:unitId': ['admin'],
  'PUT /api/admin/users/:userId/unit': ['admin'],
  /** Every staff account, disabled ones too (never a password hash). */
  'GET /api/admin/users': ['admin'],
  /** Disabling ends all the account's logins at once; not one's own (the service refuses). */
  'PUT /api/admin/users/:userId/disabled': ['admin'],
  /** The security audit trail (logins, logouts, contact reveals, refusals); ?action=&user=&ip=&from=&to=&before=&limit= */
  'GET /api/admin/audit': ['admin'],

  'GET /api/sessions/:sessionId': ALL_STAFF,
  'POST /api/sessions/:sessionId/end': ['mediator', 'judge'],
  'GET /api/sessions/:sessionId/invitations': ['mediator', 'judge'],
  'POST /api/sessions/:sessionId/invitations': ['mediator', 'judge'],
  'GET /api/sessions/:sessionId/media': ['mediator', 'supervisor', 'judge'],
  'GET /api/sessions/:sessionId/participations': ALL_STAFF,
  /** The room's saved chat, private and caucus messages included. */
  'GET /api/sessions/:sessionId/chat': ['mediator', 'supervisor', 'judge'],

  // ---- recordings (server/recording/http.ts): the case's responsible mediator, supervisors in scope, admins, the judge of a court
  // holding the case's judicial application (reviewing it); never parties or officials
  'GET /api/cases/:caseId/recordings': ['mediator', 'supervisor', 'admin', 'judge'],
  /** Sets the path-scoped HttpOnly cookie the <video> element's range requests carry (a media element sends no Authorization header). */
  'POST /api/recordings/:recordingId/playback': ['mediator', 'supervisor', 'admin', 'judge'],
  /** HTTP range requests; `?download=1` as an attachment. Each playback and download is on the timeline. */
  'GET /api/recordings/:recordingId/composed': ['mediator', 'supervisor', 'admin', 'judge'],
  'GET /api/recordings/:recordingId/tracks/:trackId': ['mediator', 'supervisor', 'admin', 'judge'],
  /** Queues a failed (or never started) composition again. */
  'POST /api/recordings/:recordingId/compose': ['mediator', 'supervisor', 'admin'],

  'POST /api/invitations/:invitationId/revoke': ['mediator', 'judge'],
  /** The judge's hearing (听证) of an application their court holds; in it the judge hosts, invites, ends (the session routes above). */
  'POST /api/judicial/applications/:applicationId/hearings': ['judge'],
  /** Public: the invitation token in `Authorization: Bearer` is verified by the handler. */
  'GET /api/invitation': 'public',

  // ---- public (no login)
  /** The citizen's report form; rate-limited per IP. */
  'POST /api/public/cases': 'public',
  /** Case number + query code in the body (POST) or in X-Case-Number / X-Query-Code headers (GET); never in the URL. */
  'POST /api/public/cases/query': 'public',
  'GET /api/public/cases/query': 'public',
  /** The query code by SMS to the reporter's phone; proving case number + query code (rate-limited per IP and per case). */
  'POST /api/public/cases/sms': 'public',
  /** The follow-up link's token in `Authorization: Bearer` is verified by the handler. */
  'GET /api/public/followup': 'public',
  'POST /api/public/followup': 'public',

  'GET /api/health': 'public',
  /** The pre-join connectivity check: an invitation token or a staff login with a room role, verified by the handler (server/connectivity). */
  'POST /api/connectivity/probe': 'public',
  'POST /api/connectivity/probe/:probeId/connect': 'public',
  'POST /api/connectivity/probe/:probeId/data-producer': 'public',
  'DELETE /api/connectivity/probe/:probeId': 'public',
  /** Prometheus: `Authorization: Bearer METRICS_TOKEN`, checked by the handler (server/metrics/http.ts); 404 without the setting. */
  'GET /metrics': 'public',

  // ---- mediation agreement (server/agreement/http.ts). 'public' ones take a staff token, a session
  // invitation or a signing link in `Authorization: Bearer`, verified by the handler.
  'GET /api/agreement-templates': ALL_STAFF,
  'GET /api/sessions/:sessionId/agreement': 'public',
  'POST /api/sessions/:sessionId/agreement': ['mediator'],
  'GET /api/cases/:caseId/agreements': ALL_STAFF,
  'PUT /api/agreements/:agreementId/draft': ['mediator'],
  'POST /api/agreements/:agreementId/comments': 'public',
  'POST /api/agreements/:agreementId/freeze': ['mediator'],
  'POST /api/agreements/:agreementId/signing-links': ['mediator'],
  /** The mediator, or an official as witness (the service checks which). */
  'POST /api/agreements/:agreementId/sign': ['mediator', 'official'],
  'POST /api/agreements/:agreementId/finalise': ['mediator'],
  'POST /api/agreements/:agreementId/settle': ['mediator'],
  'GET /api/agreements/:agreementId/document': 'public',
  // ---- the mediation record 调解笔录 (server/mediationRecord/http.ts): 'public' ones take a staff token
  // or an invitation of the record's session in `Authorization: Bearer`, verified by the handler.
  'GET /api/sessions/:sessionId/record': 'public',
  'POST /api/sessions/:sessionId/record': ['mediator'],
  'GET /api/sessions/:sessionId/record/recorders': ['mediator'],
  'GET /api/cases/:caseId/records': ALL_STAFF,
  /** The mediator, or the recorder (记录员) chosen from the mediators; the service tells them apart. */
  'PUT /api/records/:recordId/draft': ['mediator'],
  'POST /api/records/:recordId/freeze': ['mediator'],
  'POST /api/records/:recordId/finalise': ['mediator'],
  'POST /api/records/:recordId/otp': 'public',
  'POST /api/records/:recordId/confirm': 'public',
  'POST /api/records/:recordId/object': 'public',
  /** The mediator and the recorder (a mediator) sign with their staff login; the service checks they are the record's. */
  'POST /api/records/:recordId/sign': ['mediator'],
  'GET /api/records/:recordId/document': 'public',
  'GET /api/signing': 'public',
  'POST /api/signing/otp': 'public',
  'POST /api/signing/sign': 'public',
  'POST /api/signing/refuse': 'public',
  // ---- judicial confirmation 司法确认 (server/judicial/http.ts): the party's routes take their phone
  // link in `Authorization: Bearer`; the ruling a staff login (case.read) or that party link.
  'GET /api/courts': ['mediator', 'supervisor', 'admin'],
  'POST /api/cases/:caseId/judicial': ['mediator', 'supervisor'],
  'GET /api/cases/:caseId/judicial': ALL_STAFF,
  'POST /api/judicial/applications/:applicationId/links': ['mediator', 'supervisor'],
  'GET /api/judicial/apply': 'public',
  'POST /api/judicial/apply/otp': 'public',
  'POST /api/judicial/apply/confirm': 'public',
  'GET /api/judicial/queue': ['judge'],
  'GET /api/judicial/applications/:applicationId': ['judge'],
  'POST /api/judicial/applications/:applicationId/decision': ['judge'],
  'GET /api/judicial/applications/:applicationId/ruling.pdf': 'public',
  /** Public verification page: code, or the PDF as the body. */
  'POST /api/verify/code': 'public',
  'POST /api/verify/file': 'public',
} as const satisfies Record<string, RoutePermission>;

export type RouteKey = keyof typeof routePermissions;

export function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

export function permissionFor(key: string): RoutePermission | undefined {
  return Object.hasOwn(routePermissions, key) ? (routePermissions as Record<string, RoutePermission>)[key] : undefined;
}
