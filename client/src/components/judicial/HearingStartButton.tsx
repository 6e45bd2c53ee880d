import type { JudicialReviewView } from '@protocol/judicial.ts';
import { useJT } from './i18n.ts';

/**
 * The judge's "start hearing" control on the review page: the place where the hearing room (the
 * case's room with the judge as host, both parties by phone) is started and entered. Until the
 * hearing room is wired in, it says the hearing is not available yet.
 */
export function HearingStartButton({ review }: { review: JudicialReviewView }) {
  const t = useJT();
  return (
    <p className="muted" data-testid="judicial-hearing-unavailable" data-application-id={review.application.id}>
      {t('review.hearingSoon')}
    </p>
  );
}
