import { useEffect, useState } from 'react';
import { scoredIndicators, type ScoredIndicator, type WeightSetRecord } from '@protocol/assessment.ts';
import { useApiSubmit } from '../../hooks/useFieldErrors.ts';
import { useT } from '../../i18n/index.ts';
import { Alert } from '../Feedback.tsx';
import { FormField } from '../FormField.tsx';
import { assessmentApi } from '../../services/assessmentApi.ts';

const limitKeys = ['handlingDays', 'whistleHours', 'minClosed'] as const;
type LimitKey = (typeof limitKeys)[number];
type Draft = Record<ScoredIndicator | LimitKey, string>;

function draftOf(r: WeightSetRecord): Draft {
  const w = r.weightSet;
  return {
    ...(Object.fromEntries(scoredIndicators.map((k) => [k, String(w.weights[k])])) as Record<ScoredIndicator, string>),
    ...(Object.fromEntries(limitKeys.map((k) => [k, String(w.limits[k])])) as Record<LimitKey, string>),
  };
}

/** The scoring weights: admins edit (validated by the server, a new version each save), supervisors read. */
export function WeightsForm({ record, canEdit, onSaved }: { record: WeightSetRecord; canEdit: boolean; onSaved: (r: WeightSetRecord) => void }) {
  const t = useT();
  const [draft, setDraft] = useState<Draft>(() => draftOf(record));
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => setDraft(draftOf(record)), [record]);

  const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));
  const { errors, submit } = useApiSubmit(async () => {
    setSaved(null);
    const next = await assessmentApi.putWeights({
      ...(record.weightSet.name !== undefined ? { name: record.weightSet.name } : {}),
      weights: Object.fromEntries(scoredIndicators.map((k) => [k, num(draft[k])])) as Record<ScoredIndicator, number>,
      limits: Object.fromEntries(limitKeys.map((k) => [k, num(draft[k])])) as Record<LimitKey, number>,
    });
    setSaved(t('as.weightsSaved', { v: next.version }));
    onSaved(next);
  });

  return (
    <form className="card form as-weights" onSubmit={(e) => void submit(e)} noValidate data-testid="assessment-weights">
      <h2 className="card__title">{t('as.weights', { v: record.version })}</h2>
      <p className="muted">{t('as.weightsHint')}</p>
      {saved && <Alert tone="success">{saved}</Alert>}
      <div className="form-grid">
        {scoredIndicators.map((k) => (
          <FormField key={k} label={t(`as.scored.${k}`)} error={errors.get(`weights.${k}`)}>
            <input name={k} inputMode="decimal" value={draft[k]} disabled={!canEdit} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} />
          </FormField>
        ))}
        {limitKeys.map((k) => (
          <FormField key={k} label={t(`as.limits.${k}`)} error={errors.get(`limits.${k}`)}>
            <input name={k} inputMode="numeric" value={draft[k]} disabled={!canEdit} onChange={(e) => setDraft({ ...draft, [k]: e.target.value })} />
          </FormField>
        ))}
      </div>
      {errors.get('weights') !== undefined && <Alert>{t('as.weightsSum')}</Alert>}
      {errors.message && <Alert>{errors.message}</Alert>}
      {canEdit && (
        <div className="form-actions">
          <button type="submit" className="btn btn--primary">
            {t('as.saveWeights')}
          </button>
        </div>
      )}
    </form>
  );
}
