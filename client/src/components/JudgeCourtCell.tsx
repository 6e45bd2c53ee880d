import { useState } from 'react';
import type { StaffAccount } from '@protocol/accounts.ts';
import type { UnitInfo } from '@protocol/cases.ts';
import { useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { api } from '../services/api.ts';

/**
 * A judge's unit on the staff page: a judge works for a court (their queue is their court's
 * applications), so an account without a court unit is marked and the admin puts it in one.
 */
export function JudgeCourtCell({ account, courts, onPlaced }: { account: StaffAccount; courts: UnitInfo[]; onPlaced: (unitName: string) => void }) {
  const t = useT();
  const [unitId, setUnitId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (account.unitName && courts.some((c) => c.name === account.unitName)) return <>{account.unitName}</>;
  const place = async () => {
    const court = courts.find((c) => c.id === unitId);
    if (!court) return;
    setBusy(true);
    setError(null);
    try {
      await api.setAccountUnit(account.id, court.id);
      onPlaced(court.name);
    } catch (e) {
      setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="staff-court" data-testid="staff-judge-court">
      <span className="badge badge--bad">{t('staff.judgeNeedsCourt')}</span>
      {courts.length === 0 ? (
        <span className="muted">{t('staff.noCourts')}</span>
      ) : (
        <span className="staff-court__pick">
          <select value={unitId} onChange={(e) => setUnitId(e.target.value)} aria-label={t('staff.court')} data-testid="staff-court-select">
            <option value="">{t('staff.court')}</option>
            {courts.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
          <button type="button" className="btn btn--secondary btn--sm" disabled={busy || !unitId} onClick={() => void place()} data-testid="staff-court-set">
            {t('staff.setCourt')}
          </button>
        </span>
      )}
      {error && <span className="field__error">{error}</span>}
    </div>
  );
}
