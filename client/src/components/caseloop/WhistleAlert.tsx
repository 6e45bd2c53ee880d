import type { WhistleInfo } from '@protocol/cases.ts';
import { useT } from '../../i18n/index.ts';
import { Link } from '../../router.tsx';
import '../../styles/staff-nav.css';

/** The header badge on 吹哨任务: how many requests wait for the official's department. */
export function WhistleBadge({ count }: { count: number }) {
  const t = useT();
  if (count === 0) return null;
  return (
    <span className="nav-badge" data-testid="whistle-badge" aria-label={t('cl.wh.badge', { n: count })}>
      {count > 99 ? '99+' : count}
    </span>
  );
}

/** The console's notification of a new whistle request (polite live region; stays until dismissed or opened). */
export function WhistleNotice({ whistle, onDismiss }: { whistle: WhistleInfo; onDismiss: () => void }) {
  const t = useT();
  return (
    <div className="whistle-notice" role="status" aria-live="polite" data-testid="whistle-notice">
      <div className="whistle-notice__text">
        <strong>{t('cl.wh.newTitle')}</strong>
        <span>{t('cl.wh.newBody', { caseNumber: whistle.caseNumber, by: whistle.requestedBy.displayName, need: whistle.need })}</span>
      </div>
      <div className="whistle-notice__actions">
        <Link to="/whistles" className="btn btn--primary btn--sm" onClick={onDismiss}>
          {t('cl.wh.open')}
        </Link>
        <button type="button" className="btn btn--ghost btn--sm" onClick={onDismiss}>
          {t('cl.wh.dismiss')}
        </button>
      </div>
    </div>
  );
}
