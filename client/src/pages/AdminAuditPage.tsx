import { useState, type FormEvent } from 'react';
import { auditActions, type AuditAction, type AuditEventInfo } from '@protocol/audit.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { FormField } from '../components/FormField.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { hasKey, useLanguage, useT, type Translate } from '../i18n/index.ts';
import { errorText, formatDateTime } from '../i18n/labels.ts';
import { listAudit, type AuditFilter } from '../services/auditApi.ts';
import '../styles/audit.css';

interface Draft {
  action: AuditAction | '';
  user: string;
  ip: string;
  from: string;
  to: string;
}
const emptyDraft: Draft = { action: '', user: '', ip: '', from: '', to: '' };

/** A local calendar day (YYYY-MM-DD) → its first or last instant, as ISO. */
function dayBound(day: string, end: boolean): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

function toFilter(d: Draft): AuditFilter {
  return {
    action: d.action || undefined,
    user: d.user.trim() || undefined,
    ip: d.ip.trim() || undefined,
    from: dayBound(d.from, false),
    to: dayBound(d.to, true),
  };
}

function roleText(t: Translate, role: string | null): string {
  if (!role) return '';
  for (const key of [`staffRole.${role}`, `role.${role}`]) if (hasKey(key)) return t(key);
  return role;
}

/** The catalogue's prefix for details that are codes (failures, reveals); other details are shown as recorded. */
const detailKeys: Partial<Record<AuditAction, string>> = {
  login_failed: 'audit.loginFailed.',
  password_change_failed: 'audit.passwordFailed.',
  contact_revealed: 'audit.revealed.',
};

/** Refusal reasons are the server's record; account changes name the account; a password change says how many other logins ended. */
function detailText(t: Translate, e: AuditEventInfo): string | null {
  if (!e.detail) return null;
  if (e.action === 'password_changed') return Number(e.detail) > 0 ? t('audit.passwordChanged.others', { n: e.detail }) : null;
  const key = `${detailKeys[e.action] ?? '-'}${e.detail}`;
  return hasKey(key) ? t(key) : e.detail;
}

/** 安全审计: logins, logouts, contact reveals and refusals, newest first, with filters (admins). */
export function AdminAuditPage() {
  const t = useT();
  const language = useLanguage();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [filter, setFilter] = useState<AuditFilter>({});
  const [older, setOlder] = useState<{ events: AuditEventInfo[]; next: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(undefined);
  const page = useAsync(() => listAudit(filter), [filter]);

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setOlder(null);
    setFilter(toFilter(draft));
  };
  const events = [...(page.data?.events ?? []), ...(older?.events ?? [])];
  const next = older ? older.next : (page.data?.next ?? null);
  const loadMore = async () => {
    if (!next) return;
    setMoreError(undefined);
    try {
      const more = await listAudit(filter, next);
      setOlder({ events: [...(older?.events ?? []), ...more.events], next: more.next });
    } catch (err) {
      setMoreError(err);
    }
  };

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('audit.title')}</h1>
          <p className="page-head__subtitle">{t('audit.subtitle')}</p>
        </div>
      </div>

      <form className="card dash-filter audit-filter" onSubmit={apply} data-testid="audit-filter">
        <FormField label={t('audit.filter.action')}>
          <select name="action" value={draft.action} onChange={(e) => setDraft({ ...draft, action: e.target.value as Draft['action'] })}>
            <option value="">{t('audit.filter.allActions')}</option>
            {auditActions.map((a) => (
              <option key={a} value={a}>
                {t(`audit.action.${a}`)}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label={t('audit.filter.user')}>
          <input name="user" value={draft.user} maxLength={64} autoComplete="off" onChange={(e) => setDraft({ ...draft, user: e.target.value })} />
        </FormField>
        <FormField label={t('audit.filter.ip')}>
          <input
            name="ip"
            value={draft.ip}
            maxLength={64}
            autoComplete="off"
            inputMode="decimal"
            onChange={(e) => setDraft({ ...draft, ip: e.target.value })}
          />
        </FormField>
        <FormField label={t('audit.filter.from')}>
          <input type="date" name="from" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </FormField>
        <FormField label={t('audit.filter.to')}>
          <input type="date" name="to" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </FormField>
        <div className="dash-filter__actions">
          <button type="submit" className="btn btn--primary">
            {t('audit.filter.apply')}
          </button>
          <button
            type="button"
            className="btn btn--ghost"
            onClick={() => {
              setDraft(emptyDraft);
              setOlder(null);
              setFilter({});
            }}
          >
            {t('audit.filter.reset')}
          </button>
        </div>
      </form>

      {page.error !== undefined && <Alert>{errorText(t, page.error)}</Alert>}
      {page.loading && !page.data && <Spinner label={t('common.loading')} />}
      {page.data && (
        <section className="card card--flush" data-testid="audit-list">
          {events.length === 0 ? (
            <p className="empty empty--small">{t('audit.empty')}</p>
          ) : (
            <table className="data-table audit-table">
              <thead>
                <tr>
                  <th scope="col">{t('audit.col.time')}</th>
                  <th scope="col">{t('audit.col.action')}</th>
                  <th scope="col">{t('audit.col.who')}</th>
                  <th scope="col">{t('audit.col.what')}</th>
                  <th scope="col">{t('audit.col.from')}</th>
                </tr>
              </thead>
              <tbody>
                {events.map((e) => (
                  <tr key={e.id} data-testid="audit-row" data-action={e.action}>
                    <td className="audit-table__time">{formatDateTime(e.at, language)}</td>
                    <td>
                      <span className={`audit-badge audit-badge--${e.action}`}>{t(`audit.action.${e.action}`)}</span>
                    </td>
                    <td className="audit-table__who">
                      <strong>{e.actorName ?? t('audit.unknownUser')}</strong>
                      {e.actorRole && <span className="audit-table__role muted">{roleText(t, e.actorRole)}</span>}
                    </td>
                    <td className="audit-table__what">
                      {e.target && <code>{e.target}</code>}
                      {e.detail && (
                        <span className={e.action === 'permission_refused' ? 'audit-table__detail audit-table__detail--recorded' : 'audit-table__detail'}>
                          {detailText(t, e)}
                        </span>
                      )}
                    </td>
                    <td className="audit-table__from">
                      <span>{e.ip ?? '—'}</span>
                      {e.userAgent && (
                        <span className="audit-table__ua muted" title={e.userAgent}>
                          {e.userAgent}
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <div className="audit-more">
            <span className="muted">{t('audit.count', { n: events.length })}</span>
            {next && (
              <button type="button" className="btn btn--secondary" onClick={() => void loadMore()} data-testid="audit-more">
                {t('audit.more')}
              </button>
            )}
          </div>
          {moreError !== undefined && <Alert>{errorText(t, moreError)}</Alert>}
        </section>
      )}
    </AppShell>
  );
}
