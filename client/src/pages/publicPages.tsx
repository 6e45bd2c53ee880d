import '../styles/forms.css';
import '../styles/timeline.css';
import '../styles/public.css';

/* Citizens' pages (no login), one small chunk without the staff console: report, progress query, follow-up. */
export { PublicReportPage } from './PublicReportPage.tsx';
export { PublicQueryPage } from './PublicQueryPage.tsx';
export { FollowUpPage } from './FollowUpPage.tsx';
