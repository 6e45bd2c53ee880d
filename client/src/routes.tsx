import { lazy, Suspense, type ReactNode } from 'react';
import { Spinner } from './components/Feedback.tsx';
import type { CitizenPageName } from './pages/publicPages.tsx';
import type { StaffPageName } from './pages/staffPages.tsx';
import { matchPath } from './router.tsx';

/*
 * Every page of the client, in one table. Pages are split by audience into lazily loaded chunks:
 * a party on a phone downloads the join page and the call, never the staff console (its code or
 * its styles); citizens' pages and the signing, judicial confirmation and verification pages are small chunks of their own.
 * Each chunk is one lazy boundary, so moving between pages of a chunk never suspends.
 */

const JoinPage = lazy(() => import('./pages/JoinPage.tsx').then((m) => ({ default: m.JoinPage })));
const SignPage = lazy(() => import('./pages/SignPage.tsx').then((m) => ({ default: m.SignPage })));
const JudicialPartyPage = lazy(() => import('./pages/JudicialPartyPage.tsx').then((m) => ({ default: m.JudicialPartyPage })));
const VerifyPage = lazy(() => import('./pages/VerifyPage.tsx').then((m) => ({ default: m.VerifyPage })));
const CitizenPage = lazy(() => import('./pages/publicPages.tsx').then((m) => ({ default: m.CitizenPage })));
const StaffPage = lazy(() => import('./pages/staffPages.tsx').then((m) => ({ default: m.StaffPage })));

type Page = { join: true } | { sign: true } | { judicial: true } | { verify: true } | { citizen: CitizenPageName } | { staff: StaffPageName; login?: true };

interface Route {
  /** A path with `:param` segments (router.tsx matchPath). */
  path: string;
  page: Page;
}

export const routes: readonly Route[] = [
  // Parties, officials and observers by invitation link; the mediation agreement's signing and verification.
  { path: '/join', page: { join: true } },
  { path: '/sign', page: { sign: true } },
  { path: '/verify', page: { verify: true } },
  // A party confirms the application for judicial confirmation on their phone (its link's token).
  { path: '/judicial', page: { judicial: true } },
  // Citizens: report a dispute, query its progress, answer the follow-up visit.
  { path: '/report', page: { citizen: 'report' } },
  { path: '/query', page: { citizen: 'query' } },
  { path: '/followup', page: { citizen: 'followup' } },
  // Staff (`login`: a staff login is needed).
  { path: '/login', page: { staff: 'login' } },
  { path: '/', page: { staff: 'console', login: true } },
  { path: '/queue', page: { staff: 'queue', login: true } },
  { path: '/dashboard', page: { staff: 'dashboard', login: true } },
  { path: '/assessment', page: { staff: 'assessment', login: true } },
  { path: '/map', page: { staff: 'gridmap', login: true } },
  { path: '/whistles', page: { staff: 'whistles', login: true } },
  { path: '/rules', page: { staff: 'rules', login: true } },
  { path: '/audit', page: { staff: 'audit', login: true } },
  { path: '/staff', page: { staff: 'staff', login: true } },
  { path: '/court', page: { staff: 'courtQueue', login: true } },
  { path: '/court/applications/:applicationId', page: { staff: 'courtReview', login: true } },
  { path: '/cases/:caseId', page: { staff: 'case', login: true } },
  { path: '/session/:sessionId', page: { staff: 'session', login: true } },
];

function render(page: Page, params: Record<string, string>): ReactNode {
  if ('join' in page) return <JoinPage />;
  if ('sign' in page) return <SignPage />;
  if ('judicial' in page) return <JudicialPartyPage />;
  if ('verify' in page) return <VerifyPage />;
  if ('citizen' in page) return <CitizenPage name={page.citizen} />;
  return <StaffPage name={page.staff} params={params} login={page.login === true} />;
}

/** The page for a pathname; unknown paths get the staff chunk's not-found page. */
export function pageFor(pathname: string): ReactNode {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return <Suspense fallback={<Spinner />}>{render(route.page, params)}</Suspense>;
  }
  return (
    <Suspense fallback={<Spinner />}>
      <StaffPage name="notFound" params={{}} login={false} />
    </Suspense>
  );
}
