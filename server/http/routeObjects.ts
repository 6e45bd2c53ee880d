import type { ObjectKind } from '../access/CaseGuard.ts';
import type { AccessAction } from '../access/caseAccess.ts';
import { staffRoomRoles } from '../signalling/participant.ts';
import { staffRoles, type StaffRole } from '../protocol/roles.ts';
import { routedActions } from '../protocol/cases.ts';
import { routePermissions, type RouteKey } from './routePermissions.ts';

/*
 * The object rule of every route: the second table next to routePermissions (which says which
 * roles may call it). A missing entry is a compile error, and the access test walks this table.
 *   { action, via }              the registrar resolves the case from the path parameter `via`
 *                                and applies the action's rule (server/access/caseAccess.ts)
 *                                before the handler runs.
 *   { action, via, by: 'token' } a public route that takes a staff token, an invitation or a
 *                                signing link; the handler applies the same rule to staff tokens
 *                                (AgreementService.assertCanRead / CaseGuard) — invitation and
 *                                signing-link tokens are bound to their own session or case.
 *   { list: 'case.read' }        a list: every item whose case the caller may not read is left out.
 *   { none }                     no case behind it; the reason says what protects it.
 */
export type ObjectRule = { action: AccessAction; via: ObjectKind; by?: 'token' } | { list: 'case.read' } | { none: string };

const own = { none: "the caller's own account" } as const;
const config = { none: 'centre-wide configuration or aggregate statistics; role table only' } as const;
const assessment = { none: "aggregate figures of the caller's unit scope (AssessmentService refuses units and people outside it)" } as const;
const probe = {
  none: "no case: a probe transport to the media server, the caller's own only (invitation or room-role staff token, per-caller limit)",
} as const;
const publicForm = { none: 'public: rate-limited, or the handler verifies its own single-purpose token' } as const;

const actionRoutes = Object.fromEntries(routedActions.map((a) => [`POST /api/cases/:caseId/actions/${a}`, { action: 'case.loop', via: 'caseId' }])) as Record<
  `POST /api/cases/:caseId/actions/${(typeof routedActions)[number]}`,
  ObjectRule
>;

export const routeObjects: Record<RouteKey, ObjectRule> = {
  'POST /api/auth/login': publicForm,
  'POST /api/auth/logout': own,
  'POST /api/auth/password': own,
  'GET /api/auth/me': own,

  'GET /api/cases': { list: 'case.read' },
  'POST /api/cases': { none: 'creates a new case; the creator becomes its reporter (or, a mediator, its lead)' },
  'GET /api/cases/:caseId': { action: 'case.read', via: 'caseId' },
  'GET /api/cases/:caseId/sessions': { action: 'case.read', via: 'caseId' },
  'POST /api/cases/:caseId/sessions': { action: 'session.start', via: 'caseId' },
  'GET /api/cases/:caseId/timeline': { action: 'case.read', via: 'caseId' },
  'GET /api/cases/:caseId/timeline/verify': { action: 'case.read', via: 'caseId' },

  ...actionRoutes,
  'GET /api/cases/:caseId/routing-suggestion': { action: 'case.loop', via: 'caseId' },
  'GET /api/cases/:caseId/parties/:partyId/contact': { action: 'contact.reveal', via: 'caseId' },
  'GET /api/cases/:caseId/attachments': { action: 'case.read', via: 'caseId' },
  'POST /api/cases/:caseId/attachments': { action: 'case.attach', via: 'caseId' },
  'GET /api/cases/:caseId/attachments/:attachmentId': { action: 'case.read', via: 'caseId' },
  'GET /api/cases/:caseId/supervision-notes': { action: 'case.read', via: 'caseId' },
  'POST /api/cases/:caseId/supervision-notes': { action: 'case.loop', via: 'caseId' },
  'GET /api/supervision-notes': { list: 'case.read' },
  'POST /api/supervision-notes/:noteId/answer': { action: 'case.loop', via: 'noteId' },
  'GET /api/cases/:caseId/whistles': { action: 'case.read', via: 'caseId' },
  'POST /api/cases/:caseId/whistles': { action: 'whistle.create', via: 'caseId' },
  /** Also the requests addressed to the caller's own unit (their inbox keeps cancelled and declined ones). */
  'GET /api/whistles': { list: 'case.read' },
  'GET /api/whistles/pending': { none: "a count of the caller's own department's open requests" },
  'POST /api/whistles/:whistleId/accept': { action: 'whistle.respond', via: 'whistleId' },
  'POST /api/whistles/:whistleId/cancel': { action: 'case.read', via: 'whistleId' },
  'POST /api/whistles/:whistleId/decline': { action: 'whistle.respond', via: 'whistleId' },
  'GET /api/cases/:caseId/follow-ups': { action: 'case.read', via: 'caseId' },
  'POST /api/cases/:caseId/followup-link': { action: 'case.loop', via: 'caseId' },
  'GET /api/units': config,
  'GET /api/staff': config,
  'GET /api/stats': config,
  'GET /api/stats/export.csv': config,
  'GET /api/assessment': assessment,
  'GET /api/assessment/cases': assessment,
  'GET /api/assessment/export.csv': assessment,
  'GET /api/assessment/report.pdf': assessment,

  'GET /api/grids': { none: "the city's grids; the figures count only the cases the caller may read (CaseGuard.readable)" },
  'GET /api/grids/resolve': { none: "the city's grids: which one holds a point" },
  'GET /api/grids/:code/cases': { list: 'case.read' },
  'POST /api/admin/grids/import': config,

  'GET /api/admin/routing-rules': config,
  'PUT /api/admin/routing-rules': config,
  'GET /api/admin/assessment-weights': config,
  'PUT /api/admin/assessment-weights': config,
  'GET /api/admin/settings': config,
  'PUT /api/admin/settings': config,
  'POST /api/admin/units': config,
  'PUT /api/admin/units/:unitId': config,
  'PUT /api/admin/users/:userId/unit': config,
  'GET /api/admin/users': { none: 'staff accounts, no case behind them; admins only (role table)' },
  'PUT /api/admin/users/:userId/disabled': { none: 'a staff account, no case behind it; admins only (role table), never their own (service)' },
  'GET /api/admin/audit': { none: 'the security audit trail; admins only (role table)' },
  'GET /metrics': { none: 'Prometheus scrape: the handler checks the bearer METRICS_TOKEN' },

  'GET /api/sessions/:sessionId': { action: 'case.read', via: 'sessionId' },
  'POST /api/sessions/:sessionId/end': { action: 'session.end', via: 'sessionId' },
  'GET /api/sessions/:sessionId/invitations': { action: 'invitation.list', via: 'sessionId' },
  'POST /api/sessions/:sessionId/invitations': { action: 'invitation.create', via: 'sessionId' },
  'GET /api/sessions/:sessionId/media': { action: 'session.media', via: 'sessionId' },
  'GET /api/sessions/:sessionId/participations': { action: 'case.read', via: 'sessionId' },
  'GET /api/sessions/:sessionId/chat': { action: 'session.chat', via: 'sessionId' },

  'GET /api/cases/:caseId/recordings': { action: 'recording.review', via: 'caseId' },
  'POST /api/recordings/:recordingId/playback': { action: 'recording.review', via: 'recordingId' },
  'GET /api/recordings/:recordingId/composed': { action: 'recording.review', via: 'recordingId' },
  'GET /api/recordings/:recordingId/tracks/:trackId': { action: 'recording.review', via: 'recordingId' },
  'POST /api/recordings/:recordingId/compose': { action: 'recording.compose', via: 'recordingId' },

  'POST /api/invitations/:invitationId/revoke': { action: 'invitation.revoke', via: 'invitationId' },
  'POST /api/judicial/applications/:applicationId/hearings': { action: 'judicial.hearing', via: 'applicationId' },
  'GET /api/invitation': { none: 'public: the invitation token previews its own session only' },

  'POST /api/public/cases': publicForm,
  'POST /api/public/cases/query': publicForm,
  'POST /api/public/cases/sms': publicForm,
  'GET /api/public/cases/query': publicForm,
  'GET /api/public/followup': publicForm,
  'POST /api/public/followup': publicForm,

  'GET /api/health': { none: 'public liveness' },
  'GET /api/media/capabilities': { none: 'codec capabilities, the same for every room' },
  'POST /api/connectivity/probe': probe,
  'POST /api/connectivity/probe/:probeId/connect': probe,
  'POST /api/connectivity/probe/:probeId/data-producer': probe,
  'DELETE /api/connectivity/probe/:probeId': probe,

  'GET /api/agreement-templates': config,
  'GET /api/sessions/:sessionId/agreement': { action: 'case.read', via: 'sessionId', by: 'token' },
  'POST /api/sessions/:sessionId/agreement': { action: 'agreement.create', via: 'sessionId' },
  'GET /api/cases/:caseId/agreements': { action: 'case.read', via: 'caseId' },
  'PUT /api/agreements/:agreementId/draft': { action: 'agreement.edit', via: 'agreementId' },
  'POST /api/agreements/:agreementId/comments': { action: 'case.read', via: 'agreementId', by: 'token' },
  'POST /api/agreements/:agreementId/freeze': { action: 'agreement.freeze', via: 'agreementId' },
  'POST /api/agreements/:agreementId/signing-links': { action: 'agreement.links', via: 'agreementId' },
  'POST /api/agreements/:agreementId/sign': { action: 'agreement.sign', via: 'agreementId' },
  'POST /api/agreements/:agreementId/finalise': { action: 'agreement.finalise', via: 'agreementId' },
  'POST /api/agreements/:agreementId/settle': { action: 'agreement.settle', via: 'agreementId' },
  'GET /api/agreements/:agreementId/document': { action: 'case.read', via: 'agreementId', by: 'token' },
  'GET /api/sessions/:sessionId/record': { action: 'case.read', via: 'sessionId', by: 'token' },
  'POST /api/sessions/:sessionId/record': { action: 'record.create', via: 'sessionId' },
  'GET /api/sessions/:sessionId/record/recorders': { action: 'record.create', via: 'sessionId' },
  'GET /api/cases/:caseId/records': { action: 'case.read', via: 'caseId' },
  /** Read access here; writing is the mediator's (record.edit) or the recorder's own, which MediationRecordService decides. */
  'PUT /api/records/:recordId/draft': { action: 'case.read', via: 'recordId' },
  'POST /api/records/:recordId/freeze': { action: 'record.freeze', via: 'recordId' },
  'POST /api/records/:recordId/finalise': { action: 'record.finalise', via: 'recordId' },
  'POST /api/records/:recordId/otp': { action: 'case.read', via: 'recordId', by: 'token' },
  'POST /api/records/:recordId/confirm': { action: 'case.read', via: 'recordId', by: 'token' },
  'POST /api/records/:recordId/object': { action: 'case.read', via: 'recordId', by: 'token' },
  /** Read access here; being one of the record's signatories is RecordConfirmationService's check. */
  'POST /api/records/:recordId/sign': { action: 'case.read', via: 'recordId' },
  'GET /api/records/:recordId/document': { action: 'case.read', via: 'recordId', by: 'token' },
  'GET /api/signing': { none: 'public: the signing link or party invitation names its own party' },
  'POST /api/signing/otp': { none: 'public: the signing link or party invitation names its own party' },
  'POST /api/signing/sign': { none: 'public: the signing link or party invitation names its own party' },
  'POST /api/signing/refuse': { none: 'public: the signing link or party invitation names its own party' },
  'GET /api/courts': config,
  'POST /api/cases/:caseId/judicial': { action: 'judicial.apply', via: 'caseId' },
  'GET /api/cases/:caseId/judicial': { action: 'case.read', via: 'caseId' },
  'POST /api/judicial/applications/:applicationId/links': { action: 'judicial.apply', via: 'applicationId' },
  'GET /api/judicial/apply': { none: "public: the party's application link names its own application and party" },
  'POST /api/judicial/apply/otp': { none: "public: the party's application link names its own application and party" },
  'POST /api/judicial/apply/confirm': { none: "public: the party's application link names its own application and party" },
  /** The judge's own court's applications only (JudicialService.queue), each of a case the court holds. */
  'GET /api/judicial/queue': { list: 'case.read' },
  /** And the application must be addressed to the judge's own court (JudicialService.assertOwnCourt). */
  'GET /api/judicial/applications/:applicationId': { action: 'judicial.review', via: 'applicationId' },
  'POST /api/judicial/applications/:applicationId/decision': { action: 'judicial.decide', via: 'applicationId' },
  'GET /api/judicial/applications/:applicationId/ruling.pdf': { action: 'case.read', via: 'applicationId', by: 'token' },
  'POST /api/verify/code': publicForm,
  'POST /api/verify/file': publicForm,
};

export function objectRuleFor(key: string): ObjectRule | undefined {
  return Object.hasOwn(routeObjects, key) ? routeObjects[key as RouteKey] : undefined;
}

function rolesOf(key: RouteKey): readonly StaffRole[] {
  const p = routePermissions[key];
  return p === 'public' ? staffRoles : p;
}

/**
 * The staff roles that may take each action at all: the roles of the routes whose object rule
 * is that action (the access test checks they agree), and for entering a room, the roles that
 * have a room role with a staff login. (In a hearing session the steward's actions are
 * `judicial.hearing`: CaseGuard.target.)
 */
export const actionRoles: Record<AccessAction, ReadonlySet<StaffRole>> = (() => {
  const out = {} as Record<AccessAction, Set<StaffRole>>;
  for (const [key, rule] of Object.entries(routeObjects) as Array<[RouteKey, ObjectRule]>) {
    if (!('action' in rule)) continue;
    const set = (out[rule.action] ??= new Set());
    for (const r of rolesOf(key)) set.add(r);
  }
  out['session.enter'] = new Set(staffRoles.filter((r) => staffRoomRoles[r] !== null));
  return out;
})();

export function roleMay(role: StaffRole): (action: AccessAction) => boolean {
  return (action) => actionRoles[action]?.has(role) ?? false;
}
