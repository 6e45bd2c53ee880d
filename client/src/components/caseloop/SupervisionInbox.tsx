import { useAsync } from '../../hooks/useAsync.ts';
import { useStore } from '../../hooks/useStore.ts';
import { useT } from '../../i18n/index.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { staffAuth } from '../../services/session.ts';
import { SupervisionNote } from './Supervision.tsx';

/** Open supervision notes (督办) for my cases, overdue first; answered in place. */
export function SupervisionInbox() {
  const t = useT();
  const auth = useStore(staffAuth);
  const role = auth?.user.role;
  const canAnswer = role === 'mediator' || role === 'official';
  const notes = useAsync(() => (role ? loopApi.mySupervisionNotes('open') : Promise.resolve([])), [role]);
  if (!notes.data || notes.data.length === 0) return null;
  return (
    <section className="card sup-inbox" aria-labelledby="sup-inbox-title" data-testid="supervision-inbox">
      <h2 className="card__title" id="sup-inbox-title">
        {t('cl.sup.inbox', { n: notes.data.length })}
      </h2>
      <ul className="sup-list">
        {notes.data.map((n) => (
          <SupervisionNote key={n.id} note={n} canAnswer={canAnswer} onAnswered={notes.reload} showCase />
        ))}
      </ul>
    </section>
  );
}
