import type { ReactNode } from 'react';
import { FollowUpPage } from './FollowUpPage.tsx';
import { PublicQueryPage } from './PublicQueryPage.tsx';
import { PublicReportPage } from './PublicReportPage.tsx';
import '../styles/forms.css';
import '../styles/timeline.css';
import '../styles/public.css';

/* Citizens' pages (no login), one small chunk without the staff console: report, progress query, follow-up. */

const pages = {
  report: () => <PublicReportPage />,
  query: () => <PublicQueryPage />,
  followup: () => <FollowUpPage />,
} satisfies Record<string, () => ReactNode>;

export type CitizenPageName = keyof typeof pages;

export function CitizenPage({ name }: { name: CitizenPageName }) {
  return pages[name]();
}
