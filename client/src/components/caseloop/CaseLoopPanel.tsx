import { useEffect, useRef, useState } from 'react';
import { closedStates } from '@protocol/caseLoop.ts';
import { routedActions, type CaseDetail, type RoutedAction } from '@protocol/cases.ts';
import { useStore } from '../../hooks/useStore.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { formatDateTime } from '../../i18n/labels.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { staffAuth } from '../../services/session.ts';
import { ActionForm } from './ActionForms.tsx';
import { AttachmentsCard } from './AttachmentsCard.tsx';
import { ContactsCard } from './ContactsCard.tsx';
import { FollowUpCard } from './FollowUpCard.tsx';
import { LightBadge } from './LightBadge.tsx';
import { SupervisionCard } from './SupervisionCard.tsx';
import { TimelineCard } from './TimelineCard.tsx';
import { WhistleCard } from './WhistleCard.tsx';
import { loopLabel, placeFields } from './labels.ts';

/** Actions shown as buttons: the server's routed actions; start_mediation is the session card's "start" button. */
const quiet: RoutedAction[] = ['escalate', 'reassign', 'close_unsettled', 'reopen'];

interface Props {
  detail: CaseDetail;
  onChanged: (next: CaseDetail) => void;
}

/** The case loop on the case page: state, light, deadline, unit and lead; the allowed actions; whistles, supervision, follow-up, timeline. */
export function CaseLoopPanel({ detail, onChanged }: Props) {
  const t = useT();
  const language = useLanguage();
  const [open, setOpen] = useState<RoutedAction | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const actions = routedActions.filter((a) => detail.availableActions.includes(a));

  // Starting a session moves the case to in_mediation on the server: fetch the fresh state and actions.
  const sessionSeen = useRef(detail.activeSessionId);
  const onChangedRef = useRef(onChanged);
  onChangedRef.current = onChanged;
  useEffect(() => {
    if (sessionSeen.current === detail.activeSessionId) return;
    sessionSeen.current = detail.activeSessionId;
    let cancelled = false;
    loopApi.getCase(detail.id).then(
      (fresh) => !cancelled && onChangedRef.current(fresh),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [detail.activeSessionId, detail.id]);

  const changed = (next: CaseDetail, action?: RoutedAction) => {
    setOpen(null);
    setDone(action ? t('cl.done', { action: loopLabel(t, 'action', action) }) : null);
    onChanged(next);
  };

  return (
    <>
      <section className={`card loop-card loop-card--${detail.light ?? 'none'}`} aria-labelledby="loop-title" data-testid="loop-card" data-state={detail.state}>
        <div className="loop-card__head">
          <h2 className="card__title" id="loop-title">
            {t('cl.detail.title')}
          </h2>
          <LightBadge kase={detail} />
        </div>
        <dl className="loop-facts">
          <div>
            <dt>{t('cl.col.state')}</dt>
            <dd data-testid="case-state">
              <span className={`state-pill state-pill--${detail.state}`}>{loopLabel(t, 'state', detail.state)}</span>
            </dd>
          </div>
          <div>
            <dt>{t('cl.col.unit')}</dt>
            <dd>
              {detail.unit ? detail.unit.name : <span className="muted">{t('cl.unrouted')}</span>}
              {detail.level && <span className="muted"> · {loopLabel(t, 'level', detail.level)}</span>}
            </dd>
          </div>
          <div>
            <dt>{t('cl.detail.lead')}</dt>
            <dd>{detail.leadMediator ? detail.leadMediator.displayName : <span className="muted">{t('cl.detail.noLead')}</span>}</dd>
          </div>
          <div>
            <dt>{t('cl.detail.grade')}</dt>
            <dd>{detail.grade ? loopLabel(t, 'grade', detail.grade) : '—'}</dd>
          </div>
          <div>
            <dt>{t('cl.detail.deadline')}</dt>
            <dd>
              {detail.deadlineAt ? formatDateTime(detail.deadlineAt, language) : '—'}
              {detail.timeLimitDays !== null && <span className="muted"> · {t('cl.detail.days', { n: detail.timeLimitDays })}</span>}
            </dd>
          </div>
          {placeFields
            .filter((f) => detail[f])
            .map((f) => (
              <div key={f}>
                <dt>{t(`newCase.${f}`)}</dt>
                <dd data-testid={`case-${f}`}>{detail[f]}</dd>
              </div>
            ))}
          <div>
            <dt>{t('cl.detail.source')}</dt>
            <dd>{loopLabel(t, 'source', detail.source)}</dd>
          </div>
          {detail.closedAt && (
            <div>
              <dt>{t('cl.detail.closedAt')}</dt>
              <dd>{formatDateTime(detail.closedAt, language)}</dd>
            </div>
          )}
          {detail.followUpDueAt && detail.state !== 'followed_up' && (
            <div>
              <dt>{t('cl.detail.followUpDue')}</dt>
              <dd className={detail.followUpOverdue ? 'text-danger' : undefined}>
                {formatDateTime(detail.followUpDueAt, language)}
                {detail.followUpOverdue && ` · ${t('cl.detail.followUpOverdue')}`}
              </dd>
            </div>
          )}
          {detail.lastSatisfaction && (
            <div>
              <dt>{t('cl.detail.satisfaction')}</dt>
              <dd>{loopLabel(t, 'satisfaction', detail.lastSatisfaction)}</dd>
            </div>
          )}
        </dl>

        {done && (
          <p className="alert alert--success loop-card__done" role="status">
            {done}
          </p>
        )}

        {actions.length > 0 && (
          <div className="loop-actions" role="group" aria-label={t('cl.detail.actions')}>
            {actions.map((a) => (
              <button
                key={a}
                type="button"
                className={`btn btn--sm ${open === a ? 'btn--primary' : quiet.includes(a) ? 'btn--ghost' : 'btn--secondary'}`}
                aria-expanded={open === a}
                data-testid={`action-${a}`}
                onClick={() => {
                  setDone(null);
                  setOpen(open === a ? null : a);
                }}
              >
                {loopLabel(t, 'action', a)}
              </button>
            ))}
          </div>
        )}
        {open && <ActionForm key={open} detail={detail} action={open} onDone={(next) => changed(next, open)} onCancel={() => setOpen(null)} />}
      </section>
    </>
  );
}

/** Below the session: whistles, supervision notes, follow-up and the timeline (refreshed after each change). */
export function CaseLoopActivity({ detail }: { detail: CaseDetail }) {
  const auth = useStore(staffAuth);
  const [tick, setTick] = useState(0);
  const role = auth?.user.role;
  const isLead = !!auth && detail.leadMediator?.id === auth.user.id;
  const closed = closedStates.includes(detail.state);
  const key = `${tick}:${detail.state}:${detail.activeSessionId ?? ''}:${detail.leadMediator?.id ?? ''}`;
  const bump = () => setTick((n) => n + 1);
  return (
    <>
      {role !== 'gridworker' && <WhistleCard detail={detail} canBlow={detail.can['whistle.create'] && !closed} refreshKey={key} onChanged={bump} />}
      <SupervisionCard detail={detail} role={role} isLead={isLead} refreshKey={key} onChanged={bump} />
      {closed && <FollowUpCard detail={detail} refreshKey={key} canLink={role === 'supervisor' || isLead || role === 'official'} />}
      <TimelineCard caseId={detail.id} refreshKey={key} />
    </>
  );
}

/** Side column additions: contacts (reveal) and attachments. */
export function CaseLoopSide({ detail }: { detail: CaseDetail }) {
  return (
    <>
      {detail.can['contact.reveal'] && <ContactsCard detail={detail} />}
      {detail.can['case.attach'] && <AttachmentsCard caseId={detail.id} />}
    </>
  );
}
