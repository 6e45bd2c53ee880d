import { z } from 'zod';

/** Staff accounts log in with a password. */
export const staffRoles = ['mediator', 'official', 'supervisor', 'admin', 'gridworker', 'judge'] as const;
export const staffRole = z.enum(staffRoles);
export type StaffRole = z.infer<typeof staffRole>;

/** Roles inside a cloud-mediation room. */
export const participantRoles = ['mediator', 'party', 'official', 'observer'] as const;
export const participantRole = z.enum(participantRoles);
export type ParticipantRole = z.infer<typeof participantRole>;

/** A party's side: 申请人 applicant, 被申请人 respondent. */
export const partySides = ['applicant', 'respondent'] as const;
export const partySide = z.enum(partySides);
export type PartySide = z.infer<typeof partySide>;

/** Roles an invitation link may carry (mediators join with their staff login). */
export const invitedRoles = ['party', 'official', 'observer'] as const;
export const invitedRole = z.enum(invitedRoles);
export type InvitedRole = z.infer<typeof invitedRole>;
