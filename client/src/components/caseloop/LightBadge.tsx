import type { CaseSummary } from '@protocol/cases.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { formatDateTime } from '../../i18n/labels.ts';
import { durationText, loopLabel } from './labels.ts';

type LightCase = Pick<CaseSummary, 'light' | 'deadlineAt' | 'closedAt'>;

/**
 * The traffic light (红黄绿灯): a coloured dot, the word (colour is never the only signal),
 * and the deadline — time left, or how long overdue.
 */
export function LightBadge({ kase, compact = false }: { kase: LightCase; compact?: boolean }) {
  const t = useT();
  const language = useLanguage();
  const light = kase.light ?? 'none';
  let detail: string | null = null;
  if (kase.deadlineAt && kase.light !== 'done') {
    const left = Date.parse(kase.deadlineAt) - Date.now();
    if (kase.light === 'red') detail = left < 0 ? t('cl.light.overdueBy', { time: durationText(t, -left) }) : t('cl.light.overdue');
    else if (left > 0) detail = t('cl.light.left', { time: durationText(t, left) });
  }
  const deadline = kase.deadlineAt ? t('cl.light.deadline', { time: formatDateTime(kase.deadlineAt, language) }) : null;
  return (
    <span className={`light light--${light}${compact ? ' light--compact' : ''}`} data-testid="light" data-light={light}>
      <span className="light__dot" aria-hidden="true" />
      <span className="light__text">
        <strong className="light__label">{loopLabel(t, 'light', light)}</strong>
        {detail && <span className="light__detail">{detail}</span>}
        {!compact && deadline && kase.light !== 'done' && <span className="light__deadline">{deadline}</span>}
      </span>
    </span>
  );
}
