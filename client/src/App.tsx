import { lazy, Suspense } from 'react';
import { useLocation } from './router.tsx';
import { Spinner } from './components/Feedback.tsx';

// Split by audience: parties on phones download only the join page and the call, never the staff console.
const StaffRoutes = lazy(() => import('./pages/StaffRoutes.tsx').then((m) => ({ default: m.StaffRoutes })));
const JoinPage = lazy(() => import('./pages/JoinPage.tsx').then((m) => ({ default: m.JoinPage })));
// Mediation agreement: a party's signing page and the public verification page (no staff console).
const SignPage = lazy(() => import('./pages/SignPage.tsx').then((m) => ({ default: m.SignPage })));
const PublicLoopRoutes = lazy(() => import('./pages/PublicLoopRoutes.tsx').then((m) => ({ default: m.PublicLoopRoutes })));
const VerifyPage = lazy(() => import('./pages/VerifyPage.tsx').then((m) => ({ default: m.VerifyPage })));

export function App() {
  const { pathname } = useLocation();
  const isJoin = pathname === '/join' || pathname === '/join/';
  const page = pathname.replace(/\/+$/, '');
  if (page === '/sign') return <Suspense fallback={<Spinner />}><SignPage /></Suspense>;
  if (page === '/report' || page === '/query' || page === '/followup') return <Suspense fallback={<Spinner />}><PublicLoopRoutes page={page} /></Suspense>;
  if (page === '/verify') return <Suspense fallback={<Spinner />}><VerifyPage /></Suspense>;
  return (
    <Suspense fallback={<Spinner />}>{isJoin ? <JoinPage /> : <StaffRoutes pathname={pathname} />}</Suspense>
  );
}
