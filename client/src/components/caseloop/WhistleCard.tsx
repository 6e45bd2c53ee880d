import { useState } from 'react';
import type { CaseDetail, UnitInfo } from '@protocol/cases.ts';
import { useAsync } from '../../hooks/useAsync.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { formatDateTime } from '../../i18n/labels.ts';
import { loopApi } from '../../services/caseloopApi.ts';
import { Alert } from '../Feedback.tsx';
import { FormField } from '../FormField.tsx';
import { durationText } from './labels.ts';
import { useApiSubmit } from './useApiFieldErrors.ts';

/** 吹哨报到: the lead mediator calls in a department; everyone sees the requests and their acceptance. */
export function WhistleCard({ detail, canBlow, refreshKey, onChanged }: { detail: CaseDetail; canBlow: boolean; refreshKey: string; onChanged: () => void }) {
  const t = useT();
  const language = useLanguage();
  const [tick, setTick] = useState(0);
  const whistles = useAsync(() => loopApi.caseWhistles(detail.id).catch(() => []), [detail.id, refreshKey, tick]);
  const [formOpen, setFormOpen] = useState(false);
  const list = whistles.data ?? [];
  if (!canBlow && list.length === 0) return null;

  return (
    <section className="card" aria-labelledby="whistle-title" data-testid="whistle-card">
      <div className="loop-card__head">
        <h2 className="card__title" id="whistle-title">
          {t('cl.wh.title')}
        </h2>
        {canBlow && !formOpen && (
          <button type="button" className="btn btn--secondary btn--sm" onClick={() => setFormOpen(true)} data-testid="whistle-open">
            {t('cl.wh.blow')}
          </button>
        )}
      </div>
      <p className="muted card__hint">{t('cl.wh.hint')}</p>
      {formOpen && (
        <WhistleForm
          caseId={detail.id}
          onCancel={() => setFormOpen(false)}
          onDone={() => {
            setFormOpen(false);
            setTick((n) => n + 1);
            onChanged();
          }}
        />
      )}
      {list.length > 0 && (
        <ul className="whistle-list">
          {list.map((w) => (
            <li key={w.id} className="whistle-list__item" data-testid="whistle-item" data-status={w.status}>
              <div className="whistle-list__head">
                <strong>{w.unit.name}</strong>
                <span className={`badge ${w.status === 'accepted' ? 'badge--good' : w.status === 'open' ? 'badge--active' : 'badge--neutral'}`}>
                  {t(`cl.wh.status.${w.status}`)}
                </span>
              </div>
              <p>{w.need}</p>
              <p className="muted">
                {t('cl.wh.requested', { name: w.requestedBy.displayName, time: formatDateTime(w.requestedAt, language) })}
                {w.acceptedBy && w.acceptedAt && (
                  <>
                    {' · '}
                    {t('cl.wh.accepted', {
                      name: w.acceptedBy.displayName,
                      time: formatDateTime(w.acceptedAt, language),
                      took: durationText(t, (w.responseSeconds ?? 0) * 1000),
                    })}
                  </>
                )}
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function WhistleForm({ caseId, onDone, onCancel }: { caseId: string; onDone: () => void; onCancel: () => void }) {
  const t = useT();
  const departments = useAsync<UnitInfo[]>(() => loopApi.units({ kind: 'department' }), []);
  const [unitId, setUnitId] = useState('');
  const [need, setNeed] = useState('');
  const { busy, errors, submit } = useApiSubmit(async () => {
    await loopApi.blowWhistle(caseId, { unitId, need });
    onDone();
  });

  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate data-testid="whistle-form">
      <FormField label={t('cl.wh.department')} error={errors.field('unitId')}>
        <select name="whistleUnit" value={unitId} onChange={(e) => setUnitId(e.target.value)}>
          <option value="">{t('cl.form.choose')}</option>
          {(departments.data ?? [])
            .filter((u) => u.active)
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
        </select>
      </FormField>
      <FormField label={t('cl.wh.need')} error={errors.field('need')} hint={t('cl.wh.needHint')}>
        <textarea name="whistleNeed" rows={2} value={need} onChange={(e) => setNeed(e.target.value)} />
      </FormField>
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="form-actions">
        <button type="button" className="btn btn--ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="whistle-submit">
          {t('cl.wh.send')}
        </button>
      </div>
    </form>
  );
}
