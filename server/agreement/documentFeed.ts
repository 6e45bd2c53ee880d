import { forbidden } from '../errors.ts';
import type { MediationRecordService } from '../mediationRecord/MediationRecordService.ts';
import type { JudicialService } from '../judicial/JudicialService.ts';
import type { DocumentFeed, DocumentFollow, DocumentNotification, DocumentSubject } from '../signalling/documents.ts';
import type { AgreementHub } from './AgreementHub.ts';
import type { AgreementService } from './AgreementService.ts';
import type { SigningService } from './SigningService.ts';

/**
 * The case documents for the signalling sockets: each socket follows its case on the hub (which
 * hears the changes of every node) and gets the views its token may see, built for it as the
 * HTTP routes build them: the agreement's view is the same for everyone, the record's is the
 * reader's (`me`), the signing page's is that party's.
 */
export function createDocumentFeed(deps: {
  hub: AgreementHub;
  agreements: AgreementService;
  signing: SigningService;
  records: MediationRecordService;
  judicial: JudicialService;
}): DocumentFeed {
  const { hub, agreements, signing, records, judicial } = deps;

  const load = async (subject: DocumentSubject): Promise<DocumentNotification[]> => {
    if (subject.kind === 'signing') return [{ name: 'signing.updated', data: { view: await signing.signingView(subject.actor) } }];
    if (subject.kind === 'judicial') return [{ name: 'judicial.updated', data: { kind: 'party', view: await judicial.partyView(subject.party) } }];
    const [a, r] = await Promise.all([agreements.forCase(subject.caseId), records.forSession(subject.sessionId)]);
    const [agreement, record, applications] = await Promise.all([
      a ? agreements.view(a.id) : null,
      r ? records.view(r.id, subject.actor) : null,
      judicial.caseInfo(subject.caseId),
    ]);
    return [
      { name: 'agreement.updated', data: { view: agreement } },
      { name: 'record.updated', data: { view: record } },
      { name: 'judicial.updated', data: { kind: 'case', view: applications } },
    ];
  };

  return {
    async participant(token, sessionId) {
      const actor = await agreements.resolveActor(token);
      const caseId = await agreements.caseOfSession(sessionId, actor);
      return { kind: 'room', actor, sessionId, caseId };
    },
    async signer(token) {
      const actor = await agreements.resolveActor(token);
      if (actor.kind === 'staff') throw forbidden('A signing socket takes a signing link or a party invitation');
      // Refuses anyone who is not a party with an agreement to sign (officials, observers, no agreement yet).
      await signing.signingView(actor);
      return { kind: 'signing', actor, caseId: actor.caseId };
    },
    async judicialParty(token) {
      const party = await judicial.resolveParty(token);
      return { kind: 'judicial', party, caseId: party.caseId };
    },
    follow(subject, send) {
      return followCase(hub, subject.caseId, () => load(subject), send);
    },
  };
}

/**
 * Loads and sends on every change of the case, one load after another so views arrive in order.
 * A view equal to the one sent last is not sent again (a change to the agreement leaves the
 * record as it was), unless asked for with refresh().
 */
function followCase(hub: AgreementHub, caseId: string, load: () => Promise<DocumentNotification[]>, send: (n: DocumentNotification) => void): DocumentFollow {
  let stopped = false;
  let sending = Promise.resolve();
  const sent = new Map<string, string>();
  const push = (force: boolean) => {
    sending = sending
      .then(async () => {
        if (stopped) return;
        const notifications = await load();
        for (const n of notifications) {
          const json = JSON.stringify(n.data);
          if (stopped || (!force && sent.get(n.name) === json)) continue;
          sent.set(n.name, json);
          send(n);
        }
      })
      // A view that cannot be built now is sent with the next change; the change itself is committed.
      .catch(() => undefined);
  };
  const unsubscribe = hub.subscribe(caseId, () => push(false));
  return {
    refresh: () => push(true),
    stop() {
      stopped = true;
      unsubscribe();
    },
  };
}
