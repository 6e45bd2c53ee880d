import type { AgreementView } from '@protocol/agreement.ts';
import { useAT } from './i18n.ts';
import { PartySigning } from './PartySigning.tsx';

/**
 * Signing inside the room: a sheet over the call, which goes on underneath (the room stays
 * mounted, its video keeps playing and the top of the call stays visible). "Back to the call"
 * only closes the sheet. The party's invitation token signs, exactly as on the /sign page.
 */
export function SigningSheet({ view, token, onClose }: { view: AgreementView; token: string; onClose: () => void }) {
  const t = useAT();
  const liveKey = `${view.status}:${view.revision.number}:${view.signers.map((s) => s.status).join(',')}`;
  return (
    <section className="agr-sheet" role="dialog" aria-modal="false" aria-labelledby="agr-sheet-title" data-testid="signing-sheet">
      <div className="agr-sheet__head">
        <div className="agr-sheet__titles">
          <h2 id="agr-sheet-title">{t('sign.title')}</h2>
          <span className="agr-sheet__live">{t('sheet.live')}</span>
        </div>
        <button type="button" className="btn btn--ghost agr-sheet__close" onClick={onClose} data-testid="signing-sheet-close">
          {t('sheet.back')}
        </button>
      </div>
      <div className="agr-sheet__body">
        <PartySigning token={token} liveKey={liveKey} />
      </div>
    </section>
  );
}
