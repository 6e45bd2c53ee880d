import { useState } from 'react';
import { AppShell } from '../components/AppShell.tsx';
import { CaseList } from '../components/CaseList.tsx';
import { NewCaseForm } from '../components/NewCaseForm.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { PlusIcon } from '../components/Icons.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { navigate, useLocation } from '../router.tsx';
import { useStore } from '../hooks/useStore.ts';
import { staffAuth } from '../services/session.ts';

/** Staff home: the case list and the new-case form. */
export function ConsolePage() {
  const t = useT();
  const cases = useAsync(() => api.listCases(), []);
  // Only mediators (window intake), grid workers and admins register cases (POST /api/cases).
  const role = useStore(staffAuth)?.user.role;
  const canCreate = role === 'mediator' || role === 'gridworker' || role === 'admin';
  // `/?grid=<code>`: the grid map's "register a case here" opens the form with that grid.
  const pickedGrid = new URLSearchParams(useLocation().search).get('grid') ?? '';
  const [creating, setCreating] = useState(pickedGrid !== '');

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('cases.title')}</h1>
          <p className="page-head__subtitle">{t('cases.subtitle')}</p>
        </div>
        {!creating && canCreate && (
          <button type="button" className="btn btn--primary" onClick={() => setCreating(true)}>
            <PlusIcon size={20} />
            {t('cases.new')}
          </button>
        )}
      </div>

      {creating && canCreate && (
        <section className="card" aria-labelledby="new-case-title">
          <h2 className="card__title" id="new-case-title">
            {t('newCase.title')}
          </h2>
          <p className="card__subtitle">{t('newCase.subtitle')}</p>
          <NewCaseForm
            initialGrid={pickedGrid}
            onCancel={() => setCreating(false)}
            onCreated={(created) => navigate(`/cases/${encodeURIComponent(created.id)}`)}
          />
        </section>
      )}

      <section className="card card--flush">
        {cases.loading && !cases.data && <Spinner label={t('common.loading')} />}
        {cases.error !== undefined && !cases.loading && (
          <div className="card__pad">
            <Alert>
              {errorText(t, cases.error)}{' '}
              <button type="button" className="btn btn--text btn--sm" onClick={cases.reload}>
                {t('common.retry')}
              </button>
            </Alert>
          </div>
        )}
        {cases.data && cases.data.length === 0 && <p className="empty">{t('cases.empty')}</p>}
        {cases.data && cases.data.length > 0 && (
          <>
            <div className="card__toolbar">
              <span className="muted">{t('cases.count', { n: cases.data.length })}</span>
            </div>
            <CaseList cases={cases.data} />
          </>
        )}
      </section>
    </AppShell>
  );
}
