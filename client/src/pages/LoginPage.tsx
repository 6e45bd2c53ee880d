import { useState, type FormEvent } from 'react';
import type { StaffRole } from '@protocol/roles.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert } from '../components/Feedback.tsx';
import { useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { api, ApiError } from '../services/api.ts';
import { staffAuth } from '../services/session.ts';
import { navigate, useLocation } from '../router.tsx';

/** Each role's landing page after signing in (a judge's work is the court's queue of applications). */
const landing: Record<StaffRole, string> = {
  mediator: '/',
  official: '/',
  supervisor: '/',
  admin: '/',
  gridworker: '/',
  judge: '/court',
};

/** Where to go after signing in: the page asked for (only same-site paths are honoured), else the role's landing page. */
function nextPath(search: string, role: StaffRole): string {
  const next = new URLSearchParams(search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && next !== '/' ? next : landing[role];
}

export function LoginPage() {
  const t = useT();
  const location = useLocation();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ username?: boolean; password?: boolean }>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = { username: username.trim() === '', password: password === '' };
    setFieldErrors(missing);
    if (missing.username || missing.password) return;
    setBusy(true);
    setError(null);
    try {
      const result = await api.login({ username: username.trim(), password });
      staffAuth.signIn(result);
      navigate(nextPath(location.search, result.user.role), { replace: true });
    } catch (e) {
      setError(e instanceof ApiError && (e.code === 'unauthenticated' || e.code === 'bad_request') ? t('login.failed') : errorText(t, e));
      setBusy(false);
    }
  };

  return (
    <AppShell narrow>
      <section className="card login-card">
        <h1 className="card__title">{t('login.title')}</h1>
        <p className="card__subtitle">{t('login.subtitle')}</p>
        <form className="form" onSubmit={(e) => void submit(e)} noValidate>
          <div className={`field${fieldErrors.username ? ' field--invalid' : ''}`}>
            <label htmlFor="login-username">{t('login.username')}</label>
            <input
              id="login-username"
              name="username"
              autoComplete="username"
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-invalid={fieldErrors.username || undefined}
              autoFocus
            />
            {fieldErrors.username && <p className="field__error">{t('field.username')}</p>}
          </div>
          <div className={`field${fieldErrors.password ? ' field--invalid' : ''}`}>
            <label htmlFor="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={fieldErrors.password || undefined}
            />
            {fieldErrors.password && <p className="field__error">{t('field.password')}</p>}
          </div>
          {error && <Alert>{error}</Alert>}
          <button type="submit" className="btn btn--primary btn--block btn--lg" disabled={busy}>
            {busy ? t('login.submitting') : t('login.submit')}
          </button>
        </form>
        <p className="login-card__hint">{t('login.partyHint')}</p>
      </section>
    </AppShell>
  );
}
