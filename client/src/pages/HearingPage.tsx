import { AppShell } from '../components/AppShell.tsx';
import { HearingControls } from '../components/judicial/HearingControls.tsx';
import { useT } from '../i18n/index.ts';

/** `/judicial/:applicationId/hearing`: the judge's hearing controls on a page of their own (the review page embeds the same controls). */
export function HearingPage({ applicationId }: { applicationId: string }) {
  const t = useT();
  return (
    <AppShell staff narrow>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('hearing.page.title')}</h1>
          <p className="page-head__subtitle">{t('hearing.page.application', { id: applicationId })}</p>
        </div>
      </div>
      <HearingControls applicationId={applicationId} />
    </AppShell>
  );
}
