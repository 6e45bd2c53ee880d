import { useState } from 'react';
import type { StaffAccount } from '@protocol/accounts.ts';
import { AppShell } from '../components/AppShell.tsx';
import { ConfirmDialog } from '../components/Dialog.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { JudgeCourtCell } from '../components/JudgeCourtCell.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useStore } from '../hooks/useStore.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { errorText, formatDateTime, staffRoleLabel } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { loopApi } from '../services/caseloopApi.ts';
import { staffAuth } from '../services/session.ts';
import '../styles/staff.css';

/** The last toggle's result, rendered in the current language (a switch of language re-renders it). */
type Outcome = { ok: true; disabled: boolean; name: string } | { ok: false; error: unknown };

/** 人员管理: every staff account with its status; an admin disables or enables one after confirming (never their own). */
export function AdminStaffPage() {
  const t = useT();
  const language = useLanguage();
  const me = useStore(staffAuth)?.user.id;
  const accounts = useAsync(() => api.listAccounts(), []);
  // A judge belongs to a court: their account's unit must be one of these.
  const courts = useAsync(() => loopApi.units({ kind: 'court' }), []);
  const [query, setQuery] = useState('');
  const [asking, setAsking] = useState<StaffAccount | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  const q = query.trim().toLowerCase();
  const shown = (accounts.data ?? []).filter((a) => !q || a.displayName.toLowerCase().includes(q) || a.username.toLowerCase().includes(q));

  const confirm = async () => {
    const target = asking;
    if (!target) return;
    setBusy(true);
    try {
      const updated = await api.setAccountDisabled(target.id, !target.disabled);
      accounts.setData((accounts.data ?? []).map((a) => (a.id === updated.id ? updated : a)));
      setOutcome({ ok: true, disabled: updated.disabled, name: updated.displayName });
    } catch (error) {
      setOutcome({ ok: false, error });
    } finally {
      setBusy(false);
      setAsking(null);
    }
  };

  const names = asking ? { name: asking.displayName, username: asking.username } : { name: '', username: '' };
  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('staff.title')}</h1>
          <p className="page-head__subtitle">{t('staff.subtitle')}</p>
        </div>
      </div>

      {outcome && (
        <div role="status" data-testid="staff-outcome">
          {outcome.ok ? (
            <Alert tone="success">{t(outcome.disabled ? 'staff.disabledDone' : 'staff.enabledDone', { name: outcome.name })}</Alert>
          ) : (
            <Alert>{errorText(t, outcome.error)}</Alert>
          )}
        </div>
      )}
      {accounts.error !== undefined && <Alert>{errorText(t, accounts.error)}</Alert>}
      {accounts.loading && !accounts.data && <Spinner label={t('common.loading')} />}
      {accounts.data && (
        <section className="card card--flush" data-testid="staff-list">
          <div className="card__toolbar staff-toolbar">
            <input
              type="search"
              className="staff-toolbar__search"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder={t('staff.search')}
              aria-label={t('staff.search')}
              maxLength={64}
            />
            <span className="muted">{t('staff.count', { n: shown.length })}</span>
          </div>
          {shown.length === 0 ? (
            <p className="empty empty--small">{t('staff.empty')}</p>
          ) : (
            <table className="data-table staff-table">
              <thead>
                <tr>
                  <th scope="col">{t('staff.col.name')}</th>
                  <th scope="col">{t('staff.col.role')}</th>
                  <th scope="col">{t('staff.col.unit')}</th>
                  <th scope="col">{t('staff.col.lastLogin')}</th>
                  <th scope="col">{t('staff.col.status')}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t('staff.col.action')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((a) => (
                  <tr
                    key={a.id}
                    data-testid="staff-row"
                    data-username={a.username}
                    data-disabled={a.disabled ? 'true' : 'false'}
                    className={a.disabled ? 'staff-table__row--off' : undefined}
                  >
                    <td className="staff-table__name">
                      <strong>{a.displayName}</strong>
                      <span className="muted">{a.username}</span>
                    </td>
                    <td data-label={t('staff.col.role')}>{staffRoleLabel(t, a.role)}</td>
                    <td data-label={t('staff.col.unit')}>
                      {a.role === 'judge' && courts.data ? (
                        <JudgeCourtCell
                          account={a}
                          courts={courts.data}
                          onPlaced={(unitName) => accounts.setData((accounts.data ?? []).map((x) => (x.id === a.id ? { ...x, unitName } : x)))}
                        />
                      ) : (
                        (a.unitName ?? a.department ?? '—')
                      )}
                    </td>
                    <td data-label={t('staff.col.lastLogin')} className="staff-table__time">
                      {a.lastLoginAt ? formatDateTime(a.lastLoginAt, language) : t('staff.neverLoggedIn')}
                    </td>
                    <td data-label={t('staff.col.status')}>
                      <span className={`badge ${a.disabled ? 'badge--bad' : 'badge--good'}`}>
                        {t(a.disabled ? 'staff.status.disabled' : 'staff.status.active')}
                      </span>
                    </td>
                    <td className="staff-table__action">
                      {a.id === me ? (
                        <span className="muted">{t('staff.self')}</span>
                      ) : (
                        <button
                          type="button"
                          className={`btn btn--sm ${a.disabled ? 'btn--secondary' : 'btn--danger-outline'}`}
                          onClick={() => {
                            setOutcome(null);
                            setAsking(a);
                          }}
                          data-testid="staff-toggle"
                        >
                          {t(a.disabled ? 'staff.enable' : 'staff.disable')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}

      <ConfirmDialog
        open={asking !== null}
        title={asking ? t(asking.disabled ? 'staff.confirmEnable.title' : 'staff.confirmDisable.title', names) : ''}
        body={asking ? <p>{t(asking.disabled ? 'staff.confirmEnable.body' : 'staff.confirmDisable.body', names)}</p> : null}
        confirmLabel={t(asking?.disabled ? 'staff.enable' : 'staff.disable')}
        danger={!asking?.disabled}
        onConfirm={() => {
          if (!busy) void confirm();
        }}
        onCancel={() => setAsking(null)}
        testId="staff-confirm"
      />
    </AppShell>
  );
}
