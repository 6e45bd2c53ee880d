import { lazy, Suspense, type ReactNode } from 'react';
import { Spinner } from './components/Feedback.tsx';
import { matchPath } from './router.tsx';

/*
 * Every page of the client, in one table. Pages are split by audience into lazily loaded chunks:
 * a party on a phone downloads the join page and the call, never the staff console (its code or
 * its styles); citizens' pages and the signing and verification pages are small chunks of their own.
 */

const staff = () => import('./pages/staffPages.tsx');
const citizen = () => import('./pages/publicPages.tsx');

const JoinPage = lazy(() => import('./pages/JoinPage.tsx').then((m) => ({ default: m.JoinPage })));
const SignPage = lazy(() => import('./pages/SignPage.tsx').then((m) => ({ default: m.SignPage })));
const VerifyPage = lazy(() => import('./pages/VerifyPage.tsx').then((m) => ({ default: m.VerifyPage })));
const PublicReportPage = lazy(() => citizen().then((m) => ({ default: m.PublicReportPage })));
const PublicQueryPage = lazy(() => citizen().then((m) => ({ default: m.PublicQueryPage })));
const FollowUpPage = lazy(() => citizen().then((m) => ({ default: m.FollowUpPage })));
const LoginPage = lazy(() => staff().then((m) => ({ default: m.LoginPage })));
const RequireStaff = lazy(() => staff().then((m) => ({ default: m.RequireStaff })));
const ConsolePage = lazy(() => staff().then((m) => ({ default: m.ConsolePage })));
const WorkQueuePage = lazy(() => staff().then((m) => ({ default: m.WorkQueuePage })));
const DashboardPage = lazy(() => staff().then((m) => ({ default: m.DashboardPage })));
const WhistleQueuePage = lazy(() => staff().then((m) => ({ default: m.WhistleQueuePage })));
const AdminRulesPage = lazy(() => staff().then((m) => ({ default: m.AdminRulesPage })));
const AdminAuditPage = lazy(() => staff().then((m) => ({ default: m.AdminAuditPage })));
const AdminStaffPage = lazy(() => staff().then((m) => ({ default: m.AdminStaffPage })));
const CaseDetailPage = lazy(() => staff().then((m) => ({ default: m.CaseDetailPage })));
const StaffSessionPage = lazy(() => staff().then((m) => ({ default: m.StaffSessionPage })));
const NotFoundPage = lazy(() => staff().then((m) => ({ default: m.NotFoundPage })));

interface Route {
  /** A path with `:param` segments (router.tsx matchPath). */
  path: string;
  /** Staff pages need a login: without one, /login and back. */
  login?: true;
  page: (params: Record<string, string>) => ReactNode;
}

export const routes: readonly Route[] = [
  // Parties, officials and observers by invitation link; the mediation agreement's signing and verification.
  { path: '/join', page: () => <JoinPage /> },
  { path: '/sign', page: () => <SignPage /> },
  { path: '/verify', page: () => <VerifyPage /> },
  // Citizens: report a dispute, query its progress, answer the follow-up visit.
  { path: '/report', page: () => <PublicReportPage /> },
  { path: '/query', page: () => <PublicQueryPage /> },
  { path: '/followup', page: () => <FollowUpPage /> },
  // Staff.
  { path: '/login', page: () => <LoginPage /> },
  { path: '/', login: true, page: () => <ConsolePage /> },
  { path: '/queue', login: true, page: () => <WorkQueuePage /> },
  { path: '/dashboard', login: true, page: () => <DashboardPage /> },
  { path: '/whistles', login: true, page: () => <WhistleQueuePage /> },
  { path: '/rules', login: true, page: () => <AdminRulesPage /> },
  { path: '/audit', login: true, page: () => <AdminAuditPage /> },
  { path: '/staff', login: true, page: () => <AdminStaffPage /> },
  { path: '/cases/:caseId', login: true, page: (p) => <CaseDetailPage key={p['caseId']} caseId={p['caseId']!} /> },
  { path: '/session/:sessionId', login: true, page: (p) => <StaffSessionPage key={p['sessionId']} sessionId={p['sessionId']!} /> },
];

/** The page for a pathname; unknown paths get the staff chunk's not-found page. */
export function pageFor(pathname: string): ReactNode {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (!params) continue;
    const page = route.page(params);
    return <Suspense fallback={<Spinner />}>{route.login ? <RequireStaff>{page}</RequireStaff> : page}</Suspense>;
  }
  return (
    <Suspense fallback={<Spinner />}>
      <NotFoundPage />
    </Suspense>
  );
}
