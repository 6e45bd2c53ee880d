import { useState } from 'react';
import type { GeoPoint } from '@protocol/grids.ts';
import { useT } from '../i18n/index.ts';

type Status = 'idle' | 'locating' | 'denied';

/**
 * "Use my location" on the report form: asked of the phone only after the citizen ticks the
 * consent, and sent only with that report; the server finds the grid it lies in.
 */
export function ReportLocation({ point, onChange }: { point: GeoPoint | null; onChange: (point: GeoPoint | null) => void }) {
  const t = useT();
  const [consent, setConsent] = useState(false);
  const [status, setStatus] = useState<Status>('idle');

  const locate = () => {
    if (!('geolocation' in navigator)) {
      setStatus('denied');
      return;
    }
    setStatus('locating');
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setStatus('idle');
        onChange({ lng: pos.coords.longitude, lat: pos.coords.latitude });
      },
      () => setStatus('denied'),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  };
  const withdraw = (on: boolean) => {
    setConsent(on);
    if (!on) onChange(null);
  };

  return (
    <div className="report-location" data-testid="report-location">
      <p className="report-location__title">{t('grid.report.locationTitle')}</p>
      <label className="report-location__consent">
        <input type="checkbox" checked={consent} onChange={(e) => withdraw(e.target.checked)} data-testid="location-consent" />
        <span>{t('grid.report.consent')}</span>
      </label>
      {point ? (
        <p className="report-location__found" data-testid="location-found">
          {t('grid.report.located', { lat: point.lat.toFixed(5), lng: point.lng.toFixed(5) })}{' '}
          <button type="button" className="btn btn--ghost btn--sm" onClick={() => withdraw(false)}>
            {t('grid.report.clear')}
          </button>
        </p>
      ) : (
        <button type="button" className="btn btn--secondary" disabled={!consent || status === 'locating'} onClick={locate} data-testid="use-location">
          {status === 'locating' ? t('grid.report.locating') : t('grid.report.useLocation')}
        </button>
      )}
      {status === 'denied' && <p className="report-location__denied">{t('grid.report.denied')}</p>}
    </div>
  );
}
