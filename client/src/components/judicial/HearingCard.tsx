import type { ReactNode } from 'react';
import { useJT } from './i18n.ts';

/** 听证 on the review page: what a hearing is for, and `startHearing`, the hearing room's start control (HearingStartButton). */
export function HearingCard({ startHearing }: { startHearing: ReactNode }) {
  const t = useJT();
  return (
    <section className="card" aria-labelledby="judicial-hearing-title" data-testid="judicial-hearing">
      <h2 className="card__title" id="judicial-hearing-title">
        {t('review.hearing')}
      </h2>
      <div className="jud-hearing">
        <p>{t('review.hearingHint')}</p>
        {startHearing}
      </div>
    </section>
  );
}
