import { AppShell } from '../components/AppShell.tsx';
import { MessageCard } from '../components/Feedback.tsx';
import { useT } from '../i18n/index.ts';
import { Link } from '../router.tsx';

export function NotFoundPage() {
  const t = useT();
  return (
    <AppShell narrow>
      <MessageCard
        title={t('common.notFound')}
        actions={
          <Link to="/" className="btn btn--primary">
            {t('common.home')}
          </Link>
        }
      >
        <p>{t('common.notFoundHint')}</p>
      </MessageCard>
    </AppShell>
  );
}
