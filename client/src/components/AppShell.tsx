import type { ReactNode } from 'react';
import { Link, navigate } from '../router.tsx';
import { useT } from '../i18n/index.ts';
import { useStore } from '../hooks/useStore.ts';
import { staffAuth } from '../services/session.ts';
import { api } from '../services/api.ts';
import { AccountMenu } from './AccountMenu.tsx';
import { EmblemIcon } from './Icons.tsx';
import { LanguageToggle } from './LanguageToggle.tsx';
import { StaffNav } from './caseloop/StaffNav.tsx';

interface Props {
  children: ReactNode;
  /** Show the staff navigation (name, change password, sign out). */
  staff?: boolean;
  /** Narrow centred content (forms, invitation landing). */
  narrow?: boolean;
}

/** The page frame: official header, content, quiet footer. */
export function AppShell({ children, staff = false, narrow = false }: Props) {
  const t = useT();
  const auth = useStore(staffAuth);

  const logout = async () => {
    await api.logout().catch(() => undefined);
    staffAuth.signOut();
    navigate('/login', { replace: true });
  };

  const brand = (
    <>
      <EmblemIcon size={30} className="brand__emblem" />
      <span className="brand__name">{t('app.brand')}</span>
      <span className="brand__dot" aria-hidden="true">
        ·
      </span>
      <span className="brand__tagline">{t('app.tagline')}</span>
    </>
  );

  return (
    <div className="shell">
      <header className="topbar">
        <div className="topbar__inner">
          {staff ? (
            <Link to="/" className="brand" aria-label={t('app.documentTitle')}>
              {brand}
            </Link>
          ) : (
            <div className="brand">{brand}</div>
          )}
          {staff && auth && <StaffNav />}
          <div className="topbar__actions">
            {staff && auth && (
              <>
                <AccountMenu auth={auth} />
                <button type="button" className="topbar__link" onClick={() => void logout()}>
                  {t('nav.logout')}
                </button>
              </>
            )}
            <LanguageToggle />
          </div>
        </div>
      </header>
      <main className={narrow ? 'page page--narrow' : 'page'}>{children}</main>
      <footer className="footer">{t('app.footer')}</footer>
    </div>
  );
}
