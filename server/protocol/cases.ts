import { z } from 'zod';
import { partySide } from './roles.ts';

export const disputeTypes = [
  'labour',
  'neighbour',
  'land',
  'family',
  'debt',
  'property',
  'consumer',
  'traffic',
  'other',
] as const;
export const disputeType = z.enum(disputeTypes);
export type DisputeType = z.infer<typeof disputeType>;

/** Mainland mobile or landline, digits with optional +86 / dashes. Stored normalised (digits only). */
export const phoneNumber = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s-]/g, '').replace(/^\+?86/, ''))
  .pipe(z.string().regex(/^(1\d{10}|0\d{9,11})$/, 'Enter a valid phone number'));

export const partyInput = z.object({
  side: partySide,
  name: z.string().trim().min(1, 'Name is required').max(50),
  phone: phoneNumber,
  idNumber: z
    .string()
    .trim()
    .regex(/^\d{17}[\dXx]$/, 'ID number must be 18 characters')
    .transform((s) => s.toUpperCase())
    .optional(),
});
export type PartyInput = z.input<typeof partyInput>;

export const createCaseRequest = z
  .object({
    disputeType,
    title: z.string().trim().min(1, 'Title is required').max(100),
    description: z.string().trim().min(1, 'Description is required').max(5000),
    district: z.string().trim().max(50).optional(),
    town: z.string().trim().max(50).optional(),
    community: z.string().trim().max(50).optional(),
    grid: z.string().trim().max(50).optional(),
    parties: z.array(partyInput).min(1, 'At least one party is required').max(20),
  })
  .strict();
export type CreateCaseRequest = z.input<typeof createCaseRequest>;

/** What list views show of a party: the phone is always masked. */
export interface PartySummary {
  id: string;
  side: z.infer<typeof partySide>;
  name: string;
  phoneMasked: string;
}

export interface CaseSummary {
  id: string;
  caseNumber: string;
  disputeType: DisputeType;
  title: string;
  status: string;
  createdAt: string;
  parties: PartySummary[];
  activeSessionId: string | null;
}

export interface CaseDetail extends CaseSummary {
  description: string;
  district: string | null;
  town: string | null;
  community: string | null;
  grid: string | null;
  leadMediator: { id: string; displayName: string } | null;
}
