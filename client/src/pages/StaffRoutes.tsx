import { useEffect, type ReactNode } from 'react';
import { useStore } from '../hooks/useStore.ts';
import { staffAuth } from '../services/session.ts';
import { matchPath, navigate, useLocation } from '../router.tsx';
import { LoginPage } from './LoginPage.tsx';
import { ConsolePage } from './ConsolePage.tsx';
import { CaseDetailPage } from './CaseDetailPage.tsx';
import { StaffSessionPage } from './StaffSessionPage.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { WorkQueuePage } from './WorkQueuePage.tsx';
import { DashboardPage } from './DashboardPage.tsx';
import { WhistleQueuePage } from './WhistleQueuePage.tsx';
import { AdminRulesPage } from './AdminRulesPage.tsx';
import { AdminAuditPage } from './AdminAuditPage.tsx';
import { AdminStaffPage } from './AdminStaffPage.tsx';

const loopPages: Record<string, () => ReactNode> = {
  '/queue': () => <WorkQueuePage />,
  '/dashboard': () => <DashboardPage />,
  '/whistles': () => <WhistleQueuePage />,
  '/rules': () => <AdminRulesPage />,
  '/audit': () => <AdminAuditPage />,
  '/staff': () => <AdminStaffPage />,
};

/** Staff pages: without a login, go to /login and come back afterwards. */
function RequireStaff({ children }: { children: ReactNode }) {
  const auth = useStore(staffAuth);
  const location = useLocation();
  useEffect(() => {
    if (!auth) navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  }, [auth, location.pathname, location.search]);
  return auth ? <>{children}</> : null;
}

/**
 * Every staff page, loaded as one chunk: once it is in, moving between staff pages never waits for code.
 * Unknown paths end here too.
 */
export function StaffRoutes({ pathname }: { pathname: string }) {
  let params: Record<string, string> | null;
  if (pathname === '/login') return <LoginPage />;
  if (pathname === '/' || pathname === '') {
    return (
      <RequireStaff>
        <ConsolePage />
      </RequireStaff>
    );
  }
  const loopPage = loopPages[pathname.replace(/\/+$/, '')];
  if (loopPage) return <RequireStaff>{loopPage()}</RequireStaff>;
  if ((params = matchPath('/cases/:caseId', pathname))) {
    return (
      <RequireStaff>
        <CaseDetailPage key={params['caseId']} caseId={params['caseId']!} />
      </RequireStaff>
    );
  }
  if ((params = matchPath('/session/:sessionId', pathname))) {
    return (
      <RequireStaff>
        <StaffSessionPage key={params['sessionId']} sessionId={params['sessionId']!} />
      </RequireStaff>
    );
  }
  return <NotFoundPage />;
}
