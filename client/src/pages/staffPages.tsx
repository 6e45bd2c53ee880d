import { useEffect, type ReactNode } from 'react';
import { useStore } from '../hooks/useStore.ts';
import { navigate, useLocation } from '../router.tsx';
import { staffAuth } from '../services/session.ts';
import '../styles/forms.css';
import '../styles/console.css';
import '../styles/caseloop.css';
import '../styles/timeline.css';

/*
 * The staff console's chunk: every staff page and its styles, loaded together so moving between
 * staff pages never waits for code; a party's phone on the join page never loads it.
 * Which path shows which page is the route table's (client/src/routes.tsx).
 */
export { LoginPage } from './LoginPage.tsx';
export { ConsolePage } from './ConsolePage.tsx';
export { CaseDetailPage } from './CaseDetailPage.tsx';
export { StaffSessionPage } from './StaffSessionPage.tsx';
export { NotFoundPage } from './NotFoundPage.tsx';
export { WorkQueuePage } from './WorkQueuePage.tsx';
export { DashboardPage } from './DashboardPage.tsx';
export { WhistleQueuePage } from './WhistleQueuePage.tsx';
export { AdminRulesPage } from './AdminRulesPage.tsx';
export { AdminAuditPage } from './AdminAuditPage.tsx';
export { AdminStaffPage } from './AdminStaffPage.tsx';

/** Staff pages: without a login, go to /login and come back afterwards. */
export function RequireStaff({ children }: { children: ReactNode }) {
  const auth = useStore(staffAuth);
  const location = useLocation();
  useEffect(() => {
    if (!auth) navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  }, [auth, location.pathname, location.search]);
  return auth ? <>{children}</> : null;
}
