import type { AgreementActor } from '../agreement/AgreementService.ts';
import type { NotificationMap } from '../protocol/signalling.ts';
import type { JudicialParty } from '../judicial/JudicialService.ts';

type DocumentNotificationName = 'agreement.updated' | 'record.updated' | 'signing.updated' | 'judicial.updated';

/** A notification carrying a case document's view. */
export type DocumentNotification = { [N in DocumentNotificationName]: { name: N; data: NotificationMap[N] } }[DocumentNotificationName];

/** Whose views a socket follows: a room participant (by its handshake token), a signing page's party, or a judicial application page's party (by its link). */
export type DocumentSubject =
  | { kind: 'room'; actor: AgreementActor; sessionId: string; caseId: string }
  | { kind: 'signing'; actor: Exclude<AgreementActor, { kind: 'staff' }>; caseId: string }
  | { kind: 'judicial'; party: JudicialParty; caseId: string };

/** One socket following its case's documents; the owner of the socket stops it. */
export interface DocumentFollow {
  /** Sends the current views now (after room.join, after a resumed connection). */
  refresh(): void;
  stop(): void;
}

/** The case documents as the signalling server sees them (server/agreement/documentFeed.ts). */
export interface DocumentFeed {
  /** The agreement and record a room participant's token reads; throws when it reads neither. */
  participant(token: string, sessionId: string): Promise<DocumentSubject>;
  /** A signing page's token (signing link or party invitation); throws unless it is a party's signing. */
  signer(token: string): Promise<Extract<DocumentSubject, { kind: 'signing' }>>;
  /** A judicial application page's token (the party's link); throws unless it is valid. */
  judicialParty(token: string): Promise<Extract<DocumentSubject, { kind: 'judicial' }>>;
  /** Sends the subject's views on every change announced for its case (in order, each view as it is then). */
  follow(subject: DocumentSubject, send: (notification: DocumentNotification) => void): DocumentFollow;
}
