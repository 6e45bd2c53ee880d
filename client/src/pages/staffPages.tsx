import { useEffect, type ReactNode } from 'react';
import { AdminAuditPage } from './AdminAuditPage.tsx';
import { AdminRulesPage } from './AdminRulesPage.tsx';
import { AdminStaffPage } from './AdminStaffPage.tsx';
import { AssessmentPage } from './AssessmentPage.tsx';
import { CaseDetailPage } from './CaseDetailPage.tsx';
import { CourtQueuePage } from './CourtQueuePage.tsx';
import { CourtReviewPage } from './CourtReviewPage.tsx';
import { ConsolePage } from './ConsolePage.tsx';
import { DashboardPage } from './DashboardPage.tsx';
import { GridMapPage } from './GridMapPage.tsx';
import { LoginPage } from './LoginPage.tsx';
import { NotFoundPage } from './NotFoundPage.tsx';
import { StaffSessionPage } from './StaffSessionPage.tsx';
import { WhistleQueuePage } from './WhistleQueuePage.tsx';
import { WorkQueuePage } from './WorkQueuePage.tsx';
import { useStore } from '../hooks/useStore.ts';
import { navigate, useLocation } from '../router.tsx';
import { staffAuth } from '../services/session.ts';
import '../styles/forms.css';
import '../styles/console.css';
import '../styles/caseloop.css';
import '../styles/timeline.css';

/*
 * The staff console's chunk: every staff page and its styles, loaded together (one lazy boundary,
 * so moving between staff pages never waits for code or shows a spinner); a party's phone on the
 * join page never loads it. Which path shows which page is the route table's (client/src/routes.tsx).
 */

const pages = {
  login: () => <LoginPage />,
  console: () => <ConsolePage />,
  queue: () => <WorkQueuePage />,
  dashboard: () => <DashboardPage />,
  assessment: () => <AssessmentPage />,
  gridmap: () => <GridMapPage />,
  whistles: () => <WhistleQueuePage />,
  rules: () => <AdminRulesPage />,
  audit: () => <AdminAuditPage />,
  staff: () => <AdminStaffPage />,
  courtQueue: () => <CourtQueuePage />,
  courtReview: (p) => <CourtReviewPage key={p['applicationId']} applicationId={p['applicationId']!} />,
  case: (p) => <CaseDetailPage key={p['caseId']} caseId={p['caseId']!} />,
  session: (p) => <StaffSessionPage key={p['sessionId']} sessionId={p['sessionId']!} />,
  notFound: () => <NotFoundPage />,
} satisfies Record<string, (params: Record<string, string>) => ReactNode>;

export type StaffPageName = keyof typeof pages;
/** Staff pages: without a login, go to /login and come back afterwards. */
export function RequireStaff({ children }: { children: ReactNode }) {
  const auth = useStore(staffAuth);
  const location = useLocation();
  useEffect(() => {
    if (!auth) navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
  }, [auth, location.pathname, location.search]);
  return auth ? <>{children}</> : null;
}

/** One staff page by name; `login` pages need a staff login (without one: /login and back). */
export function StaffPage({ name, params, login }: { name: StaffPageName; params: Record<string, string>; login: boolean }) {
  const page = pages[name](params);
  return login ? <RequireStaff>{page}</RequireStaff> : page;
}
