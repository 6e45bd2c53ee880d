import { useState } from 'react';
import type { TimelineEntryView, TimelineVerification } from '@protocol/api.ts';
import { useAsync } from '../../hooks/useAsync.ts';
import { hasKey, useLanguage, useT } from '../../i18n/index.ts';
import { errorText, formatDateTime, staffRoleLabel } from '../../i18n/labels.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { Alert } from '../Feedback.tsx';
import { loopLabel } from './labels.ts';

/** Plain-text details worth showing from an entry's data (never phone or ID numbers: the server does not put them there). */
const detailKeys = [
  'unitName',
  'toLevel',
  'reason',
  'note',
  'need',
  'summary',
  'text',
  'answer',
  'satisfaction',
  'referredTo',
  'displayName',
  'originalName',
  'gridName',
];

/** The case's hash-chained timeline (append-only) and the chain check (校验). */
export function TimelineCard({ caseId, refreshKey }: { caseId: string; refreshKey: string }) {
  const t = useT();
  const language = useLanguage();
  const entries = useAsync(() => loopApi.timeline(caseId), [caseId, refreshKey]);
  const [check, setCheck] = useState<TimelineVerification | null>(null);
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const verify = async () => {
    setChecking(true);
    setError(null);
    try {
      setCheck(await loopApi.verifyTimeline(caseId));
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setChecking(false);
    }
  };

  // Every known type has a label in both languages (timelineLabels.ts); a type from a newer server reads as a generic entry, never as its key.
  const label = (type: string) => {
    const key = `cl.tl.${type}`;
    return hasKey(key) ? t(key) : t('cl.tl.unknown');
  };
  /** Who did it: the name resolved by the server, with the role (staff role, or the invited participant's role). */
  const actorText = (e: TimelineEntryView): string => {
    if (e.actorKind === 'public' || e.actorKind === 'system' || e.actorKind === 'followup-link' || e.actorKind === 'signing-link') {
      const key = `cl.tl.actor.${e.actorKind}`;
      return e.actorKind === 'signing-link' || !hasKey(key) ? e.actorName : t(key);
    }
    if (!e.actorRole) return e.actorName;
    const roleKey = `role.${e.actorRole}`;
    const role = e.actorKind === 'invitation' ? (hasKey(roleKey) ? t(roleKey) : e.actorRole) : staffRoleLabel(t, e.actorRole);
    return `${e.actorName}${t('punct.paren', { text: role })}`;
  };
  const detail = (type: string, data: unknown): string | null => {
    if (typeof data !== 'object' || data === null) return null;
    const d = data as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of detailKeys) {
      const value = d[k];
      if (typeof value !== 'string' || value === '') continue;
      if (k === 'toLevel') parts.push(loopLabel(t, 'level', value));
      else if (k === 'satisfaction') parts.push(loopLabel(t, 'satisfaction', value));
      else if (k === 'referredTo') parts.push(loopLabel(t, 'referral', value));
      else if (k === 'reason' && type === 'session.left') parts.push(loopLabel(t, 'tl.leave', value, t('cl.tl.unknown')));
      else parts.push(value);
    }
    return parts.length ? parts.join(' · ') : null;
  };

  return (
    <section className="card" aria-labelledby="timeline-title" data-testid="timeline-card">
      <div className="loop-card__head">
        <h2 className="card__title" id="timeline-title">
          {t('cl.tl.title')}
        </h2>
        <div className="timeline-check">
          {check && (
            <span className={`badge ${check.ok ? 'badge--good' : 'badge--bad'}`} data-testid="timeline-verify-result" data-ok={String(check.ok)}>
              {check.ok ? t('cl.tl.ok', { n: check.entries }) : t('cl.tl.broken', { seq: check.firstBrokenSeq })}
            </span>
          )}
          <button type="button" className="btn btn--secondary btn--sm" onClick={() => void verify()} disabled={checking} data-testid="timeline-verify">
            {t('cl.tl.verify')}
          </button>
        </div>
      </div>
      {check && !check.ok && <Alert>{t('cl.tl.brokenHint', { seq: check.firstBrokenSeq, reason: check.reason })}</Alert>}
      {error && <Alert>{error}</Alert>}
      {entries.error !== undefined && <Alert>{errorText(t, entries.error)}</Alert>}
      {entries.data && (
        <ol className="timeline">
          {entries.data.map((e) => {
            const d = detail(e.type, e.data);
            return (
              <li key={e.seq} className={`timeline__item timeline__item--${e.type.split('.')[0]}`} data-testid="timeline-entry" data-type={e.type}>
                <span className="timeline__dot" aria-hidden="true" />
                <div className="timeline__body">
                  <div className="timeline__row">
                    <strong>{label(e.type)}</strong>
                    <time className="muted" dateTime={e.at}>
                      {formatDateTime(e.at, language)}
                    </time>
                  </div>
                  <p className="timeline__actor muted" data-testid="timeline-actor" data-actor-kind={e.actorKind}>
                    {actorText(e)}
                  </p>
                  {d && <p className="timeline__detail">{d}</p>}
                  <code className="timeline__hash" title={e.hash}>
                    #{e.seq} {e.hash.slice(0, 12)}
                  </code>
                </div>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
