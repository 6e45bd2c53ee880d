import { useEffect, useState, type ReactNode } from 'react';
import type { CaseDetail, RoutingSuggestion, UnitInfo } from '@protocol/cases.ts';
import { useT } from '../../i18n/index.ts';
import type { z } from 'zod';
import { grades, levels, type actionPayloads, type Grade, type Level } from '@protocol/caseLoop.ts';
import type { RoutedAction } from '@protocol/cases.ts';
import { loopApi, type StaffPick } from '../../services/caseloopApi.ts';
import { Alert } from '../Feedback.tsx';
import { FormField } from '../FormField.tsx';
import { eligibleAssignees } from './assignees.ts';
import { dateInput, loopLabel } from './labels.ts';
import { useApiSubmit } from '../../hooks/useFieldErrors.ts';

const rank = (l: string | null) => (l ? levels.indexOf(l as Level) : -1);

interface FormProps {
  detail: CaseDetail;
  action: RoutedAction;
  onDone: (next: CaseDetail) => void;
  onCancel: () => void;
}

/** The small form behind one action button; errors from the API's `details` appear under their fields. */
export function ActionForm({ detail, action, onDone, onCancel }: FormProps) {
  const t = useT();
  const [v, setV] = useState<FormValues>(() => initialValues[action]?.() ?? {});
  const set = (k: string) => (e: { target: { value: string } }) => setV((o) => ({ ...o, [k]: e.target.value }));

  // Pickers: units, staff, the routing suggestion.
  const [suggestion, setSuggestion] = useState<RoutingSuggestion | null>(null);
  const [units, setUnits] = useState<UnitInfo[]>([]);
  const [staff, setStaff] = useState<StaffPick[]>([]);

  useEffect(() => {
    if (action !== 'grade_and_route' || !v.grade) return;
    let cancelled = false;
    loopApi.routingSuggestion(detail.id, v.grade as Grade).then(
      (s) => {
        if (cancelled) return;
        setSuggestion(s);
        setV((o) => ({ ...o, level: s.level, unitId: s.units[0]?.id ?? '' }));
      },
      () => setSuggestion(null),
    );
    return () => {
      cancelled = true;
    };
  }, [action, v.grade, detail.id]);

  const wantLevel = action === 'grade_and_route' ? v.level : action === 'escalate' ? v.toLevel : undefined;
  useEffect(() => {
    if (!wantLevel) return;
    let cancelled = false;
    loopApi.units({ level: wantLevel }).then(
      (list) => !cancelled && setUnits(list.filter((u) => u.kind !== 'department' && u.active)),
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [wantLevel]);

  useEffect(() => {
    if (action !== 'assign' && action !== 'reassign') return;
    Promise.all([loopApi.staff('mediator'), loopApi.staff('official')]).then(
      ([mediators, officials]) => {
        const eligible = eligibleAssignees(action, detail, mediators, officials);
        setStaff(eligible);
        setV((o) => (o.mediatorId ? o : { ...o, mediatorId: eligible[0]?.id ?? '' }));
      },
      () => undefined,
    );
  }, [action, detail]);

  const { busy, errors, submit } = useApiSubmit(async () => {
    onDone(await loopApi.act(detail.id, action, payload(action, v)));
  });

  const unitOptions = (list: UnitInfo[], optional: boolean) => (
    <select name="unitId" value={v.unitId ?? ''} onChange={set('unitId')}>
      {optional ? <option value="">{t('cl.form.unitLater')}</option> : <option value="">{t('cl.form.choose')}</option>}
      {list.map((u) => (
        <option key={u.id} value={u.id}>
          {u.name}
        </option>
      ))}
    </select>
  );
  const reason = (label = t('cl.form.reason')) => (
    <FormField label={label} error={errors.get('reason')}>
      <textarea name="reason" rows={2} value={v.reason ?? ''} onChange={set('reason')} />
    </FormField>
  );
  const note = (
    <FormField label={t('cl.form.note')} optional={t('common.optional')} error={errors.get('note')}>
      <input name="note" value={v.note ?? ''} onChange={set('note')} />
    </FormField>
  );

  /** The grade picker; routing starts from "choose", taking on from the preset grade. */
  const gradeSelect = (withChoose: boolean) => (
    <FormField label={t('cl.form.grade')} error={errors.get('grade')}>
      <select name="grade" value={v.grade ?? ''} onChange={set('grade')}>
        {withChoose && <option value="">{t('cl.form.choose')}</option>}
        {grades.map((g) => (
          <option key={g} value={g}>
            {loopLabel(t, 'grade', g)}
          </option>
        ))}
      </select>
    </FormField>
  );

  let fields: ReactNode;
  const shown: string[] = ['reason', 'note'];
  switch (action) {
    case 'register':
      fields = note;
      break;
    case 'take_on':
      shown.push('grade');
      fields = (
        <>
          {gradeSelect(false)}
          {note}
        </>
      );
      break;
    case 'grade_and_route': {
      shown.push('grade', 'level', 'unitId', 'timeLimitDays');
      const list = suggestion && suggestion.level === v.level ? mergeUnits(suggestion.units, units) : units;
      fields = (
        <>
          {gradeSelect(true)}
          {suggestion && (
            <p className="suggestion" data-testid="routing-suggestion">
              {t('cl.form.suggestion', {
                level: loopLabel(t, 'level', suggestion.level),
                days: suggestion.timeLimitDays,
                kind: loopLabel(t, 'unitKind', suggestion.unitKind),
              })}
            </p>
          )}
          <FormField label={t('cl.form.level')} error={errors.get('level')}>
            <select name="level" value={v.level ?? ''} onChange={set('level')}>
              <option value="">{t('cl.form.choose')}</option>
              {levels.map((l) => (
                <option key={l} value={l}>
                  {loopLabel(t, 'level', l)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField label={t('cl.form.unit')} error={errors.get('unitId')}>
            {unitOptions(list, false)}
          </FormField>
          <FormField
            label={t('cl.form.timeLimit')}
            optional={t('common.optional')}
            error={errors.get('timeLimitDays')}
            hint={suggestion ? t('cl.form.timeLimitHint', { days: suggestion.timeLimitDays }) : undefined}
          >
            <input name="timeLimitDays" type="number" min={1} max={30} inputMode="numeric" value={v.timeLimitDays ?? ''} onChange={set('timeLimitDays')} />
          </FormField>
          {note}
        </>
      );
      break;
    }
    case 'assign':
    case 'reassign':
      shown.push('mediatorId');
      fields = (
        <>
          <FormField label={t('cl.form.mediator')} error={errors.get('mediatorId')}>
            <select name="mediatorId" value={v.mediatorId ?? ''} onChange={set('mediatorId')}>
              <option value="">{t('cl.form.choose')}</option>
              {staff.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.displayName}
                  {s.role === 'official' ? t('punct.paren', { text: t('staffRole.official') }) : ''}
                </option>
              ))}
            </select>
          </FormField>
          {action === 'assign' ? note : reason(t('cl.form.reassignReason'))}
        </>
      );
      break;
    case 'escalate':
      shown.push('toLevel', 'unitId');
      fields = (
        <>
          <FormField label={t('cl.form.toLevel')} error={errors.get('toLevel')}>
            <select name="toLevel" value={v.toLevel ?? ''} onChange={set('toLevel')}>
              <option value="">{t('cl.form.choose')}</option>
              {levels
                .filter((l) => rank(l) > rank(detail.level))
                .map((l) => (
                  <option key={l} value={l}>
                    {loopLabel(t, 'level', l)}
                  </option>
                ))}
            </select>
          </FormField>
          <FormField label={t('cl.form.unit')} optional={t('common.optional')} error={errors.get('unitId')}>
            {unitOptions(units, true)}
          </FormField>
          {reason()}
        </>
      );
      break;
    case 'close_settled':
      shown.push('agreementForm', 'summary');
      fields = (
        <>
          <FormField label={t('cl.form.agreementForm')} error={errors.get('agreementForm')}>
            <select name="agreementForm" value={v.agreementForm ?? ''} onChange={set('agreementForm')}>
              <option value="written">{t('cl.agreementForm.written')}</option>
              <option value="oral">{t('cl.agreementForm.oral')}</option>
            </select>
          </FormField>
          <FormField label={t('cl.form.summary')} error={errors.get('summary')}>
            <textarea name="summary" rows={3} value={v.summary ?? ''} onChange={set('summary')} />
          </FormField>
        </>
      );
      break;
    case 'close_unsettled':
      shown.push('referredTo', 'referralDetail');
      fields = (
        <>
          {reason(t('cl.form.unsettledReason'))}
          <FormField label={t('cl.form.referredTo')} error={errors.get('referredTo')}>
            <select name="referredTo" value={v.referredTo ?? ''} onChange={set('referredTo')}>
              {(['court', 'arbitration', 'department', 'other'] as const).map((r) => (
                <option key={r} value={r}>
                  {loopLabel(t, 'referral', r)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField
            label={t('cl.form.referralDetail')}
            optional={v.referredTo === 'other' ? undefined : t('common.optional')}
            error={errors.get('referralDetail')}
          >
            <input name="referralDetail" value={v.referralDetail ?? ''} onChange={set('referralDetail')} />
          </FormField>
        </>
      );
      break;
    case 'record_follow_up':
      shown.push('date', 'method', 'satisfaction', 'notes');
      fields = (
        <>
          <FormField label={t('cl.form.date')} error={errors.get('date')}>
            <input type="date" name="date" value={v.date ?? ''} onChange={set('date')} />
          </FormField>
          <FormField label={t('cl.form.method')} error={errors.get('method')}>
            <select name="method" value={v.method ?? ''} onChange={set('method')}>
              {(['phone', 'visit', 'online'] as const).map((m) => (
                <option key={m} value={m}>
                  {loopLabel(t, 'method', m)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField label={t('cl.form.satisfaction')} error={errors.get('satisfaction')}>
            <select name="satisfaction" value={v.satisfaction ?? ''} onChange={set('satisfaction')}>
              {(['satisfied', 'basically_satisfied', 'not_satisfied'] as const).map((s) => (
                <option key={s} value={s}>
                  {loopLabel(t, 'satisfaction', s)}
                </option>
              ))}
            </select>
          </FormField>
          <FormField label={t('cl.form.notes')} error={errors.get('notes')}>
            <textarea name="notes" rows={2} value={v.notes ?? ''} onChange={set('notes')} />
          </FormField>
        </>
      );
      break;
    case 'reopen':
      fields = reason();
      break;
    default:
      fields = null;
  }

  const rest = errors.others(shown);
  return (
    <form className="action-form" onSubmit={(e) => void submit(e)} noValidate data-testid={`action-form-${action}`}>
      <h3 className="action-form__title">{loopLabel(t, 'action', action)}</h3>
      {fields}
      {rest.length > 0 && <Alert>{rest.join(t('punct.sep'))}</Alert>}
      {errors.message && <Alert>{errors.message}</Alert>}
      <div className="form-actions">
        <button type="button" className="btn btn--ghost" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="action-submit">
          {busy ? t('cl.form.saving') : t('cl.form.confirm', { action: loopLabel(t, 'action', action) })}
        </button>
      </div>
    </form>
  );
}

function mergeUnits(first: UnitInfo[], rest: UnitInfo[]): UnitInfo[] {
  const seen = new Set(first.map((u) => u.id));
  return [...first, ...rest.filter((u) => !seen.has(u.id))];
}

/** The form's starting values per action (the others start blank). */
const initialValues: Partial<Record<RoutedAction, () => FormValues>> = {
  take_on: () => ({ grade: 'low' }),
  close_settled: () => ({ agreementForm: 'written' }),
  close_unsettled: () => ({ referredTo: 'court' }),
  record_follow_up: () => ({ date: dateInput(0), method: 'phone', satisfaction: 'satisfied' }),
};

type FormValues = Record<string, string>;
/** The fields of an action's payload as the protocol names them; the server validates the values. */
type PayloadFields<A extends RoutedAction> = { [K in keyof z.input<(typeof actionPayloads)[A]>]: unknown };
const opt = (v: FormValues, k: string) => (v[k] && v[k].trim() !== '' ? v[k] : undefined);

/**
 * Only the fields each action takes; blanks of optional fields are left out. Keyed by every routed
 * action, and each result typed by that action's payload schema, so a new action or a renamed
 * field is a compile error here.
 */
const payloads: { [A in RoutedAction]: (v: FormValues) => PayloadFields<A> } = {
  register: (v) => ({ note: opt(v, 'note') }),
  take_on: (v) => ({ grade: opt(v, 'grade'), note: opt(v, 'note') }),
  grade_and_route: (v) => ({
    grade: v.grade ?? '',
    level: v.level ?? '',
    unitId: v.unitId ?? '',
    timeLimitDays: v.timeLimitDays ? Number(v.timeLimitDays) : undefined,
    note: opt(v, 'note'),
  }),
  assign: (v) => ({ mediatorId: v.mediatorId ?? '', note: opt(v, 'note') }),
  reassign: (v) => ({ mediatorId: v.mediatorId ?? '', reason: v.reason ?? '' }),
  escalate: (v) => ({ toLevel: v.toLevel ?? '', reason: v.reason ?? '', unitId: opt(v, 'unitId') }),
  close_settled: (v) => ({ agreementForm: v.agreementForm ?? 'written', summary: v.summary ?? '' }),
  close_unsettled: (v) => ({ reason: v.reason ?? '', referredTo: v.referredTo ?? 'court', referralDetail: opt(v, 'referralDetail') }),
  record_follow_up: (v) => ({ date: v.date ?? '', method: v.method ?? 'phone', satisfaction: v.satisfaction ?? 'satisfied', notes: v.notes ?? '' }),
  reopen: (v) => ({ reason: v.reason ?? '' }),
};

/** The request body: undefined members are dropped by JSON. */
function payload<A extends RoutedAction>(action: A, v: FormValues): PayloadFields<A> {
  return payloads[action](v);
}
