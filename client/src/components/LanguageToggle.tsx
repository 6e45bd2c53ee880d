import { setLanguage, useLanguage, useT } from '../i18n/index.ts';

export function LanguageToggle({ className = 'lang-toggle' }: { className?: string }) {
  const t = useT();
  const language = useLanguage();
  return (
    <button
      type="button"
      className={className}
      lang={language === 'en' ? 'zh-CN' : 'en'}
      aria-label={t('app.lang.switchLabel')}
      onClick={() => setLanguage(language === 'en' ? 'zh-CN' : 'en')}
    >
      {t('app.lang.switch')}
    </button>
  );
}
