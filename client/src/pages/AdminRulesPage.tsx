import { useEffect, useState, type FormEvent } from 'react';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, Spinner } from '../components/Feedback.tsx';
import { FormField } from '../components/FormField.tsx';
import { useFieldErrors } from '../hooks/useFieldErrors.ts';
import { useAsync } from '../hooks/useAsync.ts';
import { useStore } from '../hooks/useStore.ts';
import { useLanguage, useT } from '../i18n/index.ts';
import { errorText, formatDateTime } from '../i18n/labels.ts';
import { loopApi } from '../services/caseloopApi.ts';
import { staffAuth } from '../services/session.ts';

/** 规则: the routing rule set (per dispute type and grade: level, unit kind, time limit) and the loop settings. Admins edit, supervisors read. */
export function AdminRulesPage() {
  const t = useT();
  const language = useLanguage();
  const auth = useStore(staffAuth);
  const canEdit = auth?.user.role === 'admin';
  const rules = useAsync(() => loopApi.routingRules(), []);
  const settings = useAsync(() => loopApi.settings(), []);
  const [text, setText] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const ruleErrors = useFieldErrors();
  const settingErrors = useFieldErrors();
  const [s, setS] = useState({ followUpDays: '', followUpLinkDays: '', yellowShare: '' });

  useEffect(() => {
    if (rules.data) setText(JSON.stringify(rules.data.ruleSet, null, 2));
  }, [rules.data]);
  useEffect(() => {
    if (settings.data)
      setS({
        followUpDays: String(settings.data.followUpDays),
        followUpLinkDays: String(settings.data.followUpLinkDays),
        yellowShare: String(settings.data.yellowShare),
      });
  }, [settings.data]);

  const saveRules = async (e: FormEvent) => {
    e.preventDefault();
    ruleErrors.reset();
    setSaved(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      ruleErrors.setMessage(t('cl.rules.badJson'));
      return;
    }
    try {
      const record = await loopApi.putRoutingRules(parsed);
      rules.setData(record);
      setSaved(t('cl.rules.saved', { v: record.version }));
      settings.reload();
    } catch (err) {
      ruleErrors.take(err);
    }
  };

  const saveSettings = async (e: FormEvent) => {
    e.preventDefault();
    settingErrors.reset();
    setSaved(null);
    try {
      const next = await loopApi.putSettings({
        followUpDays: Number(s.followUpDays),
        followUpLinkDays: Number(s.followUpLinkDays),
        yellowShare: Number(s.yellowShare),
      });
      settings.setData(next);
      setSaved(t('cl.rules.settingsSaved'));
      rules.reload();
    } catch (err) {
      settingErrors.take(err);
    }
  };

  return (
    <AppShell staff>
      <div className="page-head">
        <div>
          <h1 className="page-head__title">{t('cl.rules.title')}</h1>
          <p className="page-head__subtitle">{t('cl.rules.subtitle')}</p>
        </div>
      </div>
      {saved && <Alert tone="success">{saved}</Alert>}
      {(rules.error !== undefined || settings.error !== undefined) && <Alert>{errorText(t, rules.error ?? settings.error)}</Alert>}
      {(!rules.data || !settings.data) && rules.loading && <Spinner label={t('common.loading')} />}
      {settings.data && (
        <form className="card form" onSubmit={(e) => void saveSettings(e)} noValidate>
          <h2 className="card__title">{t('cl.rules.settings')}</h2>
          <div className="form-grid">
            <FormField label={t('cl.rules.yellowShare')} error={settingErrors.get('yellowShare')} hint={t('cl.rules.yellowShareHint')}>
              <input
                name="yellowShare"
                inputMode="decimal"
                value={s.yellowShare}
                disabled={!canEdit}
                onChange={(e) => setS({ ...s, yellowShare: e.target.value })}
              />
            </FormField>
            <FormField label={t('cl.rules.followUpDays')} error={settingErrors.get('followUpDays')}>
              <input
                name="followUpDays"
                inputMode="numeric"
                value={s.followUpDays}
                disabled={!canEdit}
                onChange={(e) => setS({ ...s, followUpDays: e.target.value })}
              />
            </FormField>
            <FormField label={t('cl.rules.followUpLinkDays')} error={settingErrors.get('followUpLinkDays')}>
              <input
                name="followUpLinkDays"
                inputMode="numeric"
                value={s.followUpLinkDays}
                disabled={!canEdit}
                onChange={(e) => setS({ ...s, followUpLinkDays: e.target.value })}
              />
            </FormField>
          </div>
          {settingErrors.message && <Alert>{settingErrors.message}</Alert>}
          {canEdit && (
            <div className="form-actions">
              <button type="submit" className="btn btn--primary">
                {t('cl.rules.save')}
              </button>
            </div>
          )}
        </form>
      )}
      {rules.data && (
        <form className="card form" onSubmit={(e) => void saveRules(e)} noValidate>
          <h2 className="card__title">{t('cl.rules.ruleSet', { v: rules.data.version })}</h2>
          <p className="muted">{t('cl.rules.ruleSetHint', { time: formatDateTime(rules.data.createdAt, language) })}</p>
          <textarea
            className="rules-json"
            rows={24}
            spellCheck={false}
            value={text}
            readOnly={!canEdit}
            onChange={(e) => setText(e.target.value)}
            aria-label={t('cl.rules.ruleSet', { v: rules.data.version })}
          />
          {ruleErrors.others([]).length > 0 && <Alert>{ruleErrors.others([]).join(t('punct.sep'))}</Alert>}
          {ruleErrors.message && <Alert>{ruleErrors.message}</Alert>}
          {canEdit && (
            <div className="form-actions">
              <button type="submit" className="btn btn--primary">
                {t('cl.rules.saveRules')}
              </button>
            </div>
          )}
        </form>
      )}
    </AppShell>
  );
}
