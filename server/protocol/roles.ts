import { z } from 'zod';

/** Staff accounts log in with a password. */
export const staffRoles = ['mediator', 'official', 'supervisor', 'admin', 'gridworker', 'judge'] as const;
export const staffRole = z.enum(staffRoles);
export type StaffRole = z.infer<typeof staffRole>;

/** Roles inside a cloud-mediation room. A judge hosts the hearing of a judicial confirmation application. */
export const participantRoles = ['mediator', 'judge', 'party', 'official', 'observer'] as const;
export const participantRole = z.enum(participantRoles);
export type ParticipantRole = z.infer<typeof participantRole>;

/** Room roles that host (admit, mute, caucus, record, end): the mediator in a mediation, the judge in a hearing. */
export const hostRoles = ['mediator', 'judge'] as const satisfies readonly ParticipantRole[];
export type HostRole = (typeof hostRoles)[number];
export function isHost(role: ParticipantRole): role is HostRole {
  return (hostRoles as readonly ParticipantRole[]).includes(role);
}

/** A party's side: 申请人 applicant, 被申请人 respondent. */
export const partySides = ['applicant', 'respondent'] as const;
export const partySide = z.enum(partySides);
export type PartySide = z.infer<typeof partySide>;

/** Roles an invitation link may carry (mediators join with their staff login). */
export const invitedRoles = ['party', 'official', 'observer'] as const;
export const invitedRole = z.enum(invitedRoles);
export type InvitedRole = z.infer<typeof invitedRole>;
