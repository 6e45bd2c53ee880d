import { LanguageToggle } from '../components/LanguageToggle.tsx';
import { useAT } from '../components/agreement/i18n.ts';
import { PartySigning } from '../components/agreement/PartySigning.tsx';
import '../components/agreement/agreement.css';
import { useFragmentToken } from '../hooks/useFragmentToken.ts';
import { signingToken } from '../services/agreement.ts';
import { watchSigning } from '../services/signingUpdates.ts';

/** /sign#t=<signing link or party invitation>: a party not in the call signs the frozen agreement on their own phone. */
export function SignPage() {
  const t = useAT();
  // Kept for this tab (sessionStorage, apart from /join's invitation) and taken out of the address bar.
  const token = useFragmentToken(signingToken);

  return (
    <main className="agr-page">
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <h1>{t('sign.title')}</h1>
        <LanguageToggle />
      </div>
      {token ? (
        <PartySigning key={token} token={token} watch={watchSigning} />
      ) : (
        <div className="agr-result agr-result--unknown" data-testid="sign-error">
          {t('sign.badLink')}
        </div>
      )}
    </main>
  );
}
