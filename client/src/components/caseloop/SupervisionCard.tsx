import type { CaseDetail } from '@protocol/cases.ts';
import { useAsync } from '../../hooks/useAsync.ts';
import { useT } from '../../i18n/index.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { SupervisionForm, SupervisionNote } from './Supervision.tsx';

/** 督办 on a case: the supervisor adds notes with a due date; the responsible mediator answers. */
export function SupervisionCard({
  detail,
  role,
  isLead,
  refreshKey,
  onChanged,
}: {
  detail: CaseDetail;
  role: string | undefined;
  isLead: boolean;
  refreshKey: string;
  onChanged: () => void;
}) {
  const t = useT();
  const notes = useAsync(() => loopApi.supervisionNotes(detail.id), [detail.id, refreshKey]);
  const isSupervisor = role === 'supervisor';
  const canAnswer = (role === 'mediator' && isLead) || role === 'official';
  const list = notes.data ?? [];
  if (!isSupervisor && list.length === 0) return null;
  return (
    <section className="card" aria-labelledby="sup-title" data-testid="supervision-card">
      <h2 className="card__title" id="sup-title">
        {t('cl.sup.title')}
      </h2>
      {list.length === 0 && <p className="muted">{t('cl.sup.none')}</p>}
      {list.length > 0 && (
        <ul className="sup-list">
          {list.map((n) => (
            <SupervisionNote key={n.id} note={n} canAnswer={canAnswer} onAnswered={onChanged} />
          ))}
        </ul>
      )}
      {isSupervisor && <SupervisionForm caseId={detail.id} onAdded={onChanged} />}
    </section>
  );
}
