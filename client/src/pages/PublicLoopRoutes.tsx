import { FollowUpPage } from './FollowUpPage.tsx';
import { PublicQueryPage } from './PublicQueryPage.tsx';
import { PublicReportPage } from './PublicReportPage.tsx';

/** Citizens' pages (no login), one small chunk without the staff console: report, progress query, follow-up. */
export const publicLoopPaths = ['/report', '/query', '/followup'];

export function PublicLoopRoutes({ page }: { page: string }) {
  if (page === '/report') return <PublicReportPage />;
  if (page === '/query') return <PublicQueryPage />;
  return <FollowUpPage />;
}
