import { z } from 'zod';
import type { RtpCapabilities } from './mediaTypes.ts';
import type { RecordingState } from './recording.ts';
import { invitedRole, partySide, type InvitedRole, type ParticipantRole, type PartySide, type StaffRole } from './roles.ts';

export const loginRequest = z
  .object({
    username: z.string().trim().min(1, 'Username is required').max(64),
    password: z.string().min(1, 'Password is required').max(256),
  })
  .strict();
export type LoginRequest = z.infer<typeof loginRequest>;

export interface StaffUser {
  id: string;
  username: string;
  displayName: string;
  role: StaffRole;
  department: string | null;
}

export interface LoginResponse {
  token: string;
  expiresAt: string;
  user: StaffUser;
}

/** What a session is for: a mediation (调解), or a judicial confirmation hearing (听证) hosted by a judge. */
export const sessionKinds = ['mediation', 'hearing'] as const;
export type SessionKind = (typeof sessionKinds)[number];

export interface MediationSessionInfo {
  id: string;
  caseId: string;
  caseNumber: string;
  kind: SessionKind;
  /** The judicial confirmation application a hearing belongs to (null for a mediation). */
  judicialApplicationId: string | null;
  status: 'open' | 'ended';
  startedAt: string;
  endedAt: string | null;
  /** The session's recording (off, recording, paused): the pre-join page shows the notice. */
  recording: RecordingState;
}

export const createInvitationRequest = z
  .object({
    role: invitedRole,
    displayName: z.string().trim().min(1, 'Display name is required').max(50),
    /** For role party: which party of the case this link is for. */
    partyId: z.string().min(1).optional(),
    side: partySide.optional(),
    department: z.string().trim().max(50).optional(),
  })
  .strict()
  .refine((v) => v.role !== 'party' || v.partyId !== undefined || v.side !== undefined, {
    message: 'A party invitation needs the party (or at least the side)',
    path: ['partyId'],
  });
export type CreateInvitationRequest = z.input<typeof createInvitationRequest>;

export interface InvitationInfo {
  id: string;
  sessionId: string;
  role: InvitedRole;
  displayName: string;
  side: PartySide | null;
  department: string | null;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  /** Present only in the answer to the request that created it. */
  url?: string;
  qrSvg?: string;
}

/** What the join page learns from an invitation token before joining (no personal data). */
export interface InvitationPreview {
  sessionId: string;
  caseNumber: string;
  caseTitle: string;
  role: ParticipantRole;
  displayName: string;
  side: PartySide | null;
  sessionStatus: 'open' | 'ended';
  /** A mediation, or a judicial confirmation hearing (the judge hosts; the contact is the judge and the court). */
  kind: SessionKind;
  /** Who runs the session and whom to call afterwards: shown in the waiting room and at the end. */
  contact: { mediatorName: string; centreName: string; centrePhone: string | null };
  /** The session's recording: when not off, the pre-join page shows the notice before joining. */
  recording: RecordingState;
}

/**
 * GET /api/media/capabilities: the router RTP capabilities every room of this deployment has,
 * and their id (room.join answers with the room's). A page loads its mediasoup Device with them
 * while the person checks their camera, so joining skips that step.
 */
export interface MediaCapabilities {
  rtpCapabilities: RtpCapabilities;
  id: string;
}

export interface HealthResponse {
  /** `degraded`: no media worker, or the database or (in cluster mode) Redis does not answer. */
  status: 'ok' | 'degraded';
  /** This node's NODE_ID in cluster mode; null for a single node. */
  nodeId: string | null;
  workers: number;
  rooms: number;
  peers: number;
  /** Whether the database answered a query just now. */
  database: boolean;
  /** Whether Redis answered PING just now; null when there is none (a single node). */
  redis: boolean | null;
  uptimeSeconds: number;
  version: string;
}

/** Live media state of a session as the server sees it (staff only; used by tests and supervisors). */
export interface SessionMediaState {
  sessionId: string;
  live: boolean;
  peers: Array<{
    peerId: string;
    role: ParticipantRole;
    displayName: string;
    producers: Array<{ id: string; kind: 'audio' | 'video'; source: string; paused: boolean }>;
    consumers: Array<{
      id: string;
      producerId: string;
      kind: 'audio' | 'video';
      paused: boolean;
      /** Simulcast consumers: the spatial layer asked for (client tile size, or lowered on a weak downlink); null otherwise. */
      preferredSpatialLayer: number | null;
    }>;
  }>;
}

/** One join (and its leave, once it happened) of a session; staff only. No personal data. */
export interface SessionParticipationInfo {
  id: string;
  sessionId: string;
  role: ParticipantRole;
  displayName: string;
  joinedAt: string;
  leftAt: string | null;
  leaveReason: string | null;
}

/** One entry of a case's hash-chained timeline. `actor` is `user:<id>`, `invitation:<id>` or `system`. */
export interface TimelineEntryInfo {
  seq: number;
  type: string;
  actor: string;
  data: unknown;
  at: string;
  prevHash: string;
  hash: string;
}

/**
 * Who did a timeline entry, resolved for display when the timeline is read (the stored, hash-chained
 * entry keeps only the opaque `actor` reference).
 *   kind user: role is the staff role · invitation: the invited participant's role (party, official, …)
 *   followup-link / signing-link: role 'party' · public: a citizen's no-login form · system: the server
 */
export interface TimelineActorInfo {
  kind: 'user' | 'invitation' | 'followup-link' | 'signing-link' | 'public' | 'system' | 'unknown';
  name: string;
  role: string | null;
}

/** A timeline entry as the API returns it: the stored entry plus its resolved actor. */
export interface TimelineEntryView extends TimelineEntryInfo {
  actorName: string;
  actorRole: string | null;
  actorKind: TimelineActorInfo['kind'];
}

/** Result of recomputing a case's timeline chain. */
export type TimelineVerification = { ok: true; entries: number } | { ok: false; firstBrokenSeq: number; reason: string };

/** GET /api/sessions/:sessionId/chat — one saved room chat message (staff: mediator, supervisor, admin). */
export interface SessionChatEntry {
  id: string;
  at: string;
  fromName: string;
  fromRole: ParticipantRole;
  /** Parties only. */
  fromSide: PartySide | null;
  /** all: the joint session; caucus: only the caucus members saw it (背对背); private: mediator ↔ one participant. */
  scope: 'all' | 'private' | 'caucus';
  /** The recipient of a private message. */
  toName: string | null;
  text: string;
}
