import { lazy, Suspense } from 'react';
import { useLocation } from './router.tsx';
import { Spinner } from './components/Feedback.tsx';

// Split by audience: parties on phones download only the join page and the call, never the staff console.
const StaffRoutes = lazy(() => import('./pages/StaffRoutes.tsx').then((m) => ({ default: m.StaffRoutes })));
const JoinPage = lazy(() => import('./pages/JoinPage.tsx').then((m) => ({ default: m.JoinPage })));

export function App() {
  const { pathname } = useLocation();
  const isJoin = pathname === '/join' || pathname === '/join/';
  return (
    <Suspense fallback={<Spinner />}>{isJoin ? <JoinPage /> : <StaffRoutes pathname={pathname} />}</Suspense>
  );
}
