import { useState } from 'react';
import type { CaseDetail } from '@protocol/cases.ts';
import type { CourtInfo, JudicialApplicationView, JudicialLinkInfo } from '@protocol/judicial.ts';
import { useAsync } from '../../hooks/useAsync.ts';
import { useLanguage, useT } from '../../i18n/index.ts';
import { errorText } from '../../i18n/labels.ts';
import { judicialApi } from '../../services/judicialApi.ts';
import { staffAuth } from '../../services/session.ts';
import { formatTime, sideAndName, useAT } from '../agreement/i18n.ts';
import { Alert } from '../Feedback.tsx';
import { FormField } from '../FormField.tsx';
import { useJT } from './i18n.ts';
import { Deadline, Decision, JudicialStatusPill, PartyConfirmations, PhoneLink } from './parts.tsx';

/**
 * 司法确认 on the case page once the agreement is sealed, for everyone who reads the case (the judge too): the application's
 * status, court, deadline, each party's confirmation, the decision with the ruling. The case's
 * mediator or supervisor (`can['judicial.apply']`) starts an application, choosing the court, and
 * gets one phone link per party. The staff case page has no push channel: it shows what it
 * loaded (again on reload and after its own actions).
 */
export function CaseJudicialCard({ detail }: { detail: CaseDetail }) {
  const t = useJT();
  const tm = useT();
  const info = useAsync(() => judicialApi.forCase(detail.id), [detail.id, detail.agreementId]);
  const [links, setLinks] = useState<JudicialLinkInfo[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const view = info.data;
  const canStart = detail.can['judicial.apply'] && view?.canApply === true;
  const current = view?.applications[0] ?? null;
  const earlier = view?.applications.slice(1) ?? [];

  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(errorText(tm, e));
    } finally {
      setBusy(false);
    }
  };
  const start = (courtUnitId: string) =>
    run(async () => {
      const started = await judicialApi.start(detail.id, courtUnitId);
      setLinks(started.links);
      info.reload();
    });
  const newLinks = (applicationId: string) =>
    run(async () => {
      setLinks(await judicialApi.links(applicationId));
    });
  const download = (a: JudicialApplicationView) =>
    void run(async () => {
      if (a.ruling && staffAuth.token) await judicialApi.downloadRuling(a.ruling.downloadUrl, staffAuth.token, a.ruling.number);
    });

  // Shown once the agreement is sealed (before that there is nothing to apply for).
  if (!view ? info.error === undefined : !view.period && view.applications.length === 0) return null;

  return (
    <section className="card" aria-labelledby="case-judicial-title" data-testid="case-judicial" data-status={current?.status ?? 'none'}>
      <h2 className="card__title" id="case-judicial-title">
        {t('card.title')}
      </h2>
      {info.error !== undefined && !view && <Alert>{errorText(tm, info.error)}</Alert>}
      {view?.period && !current && (
        <>
          <p className="muted">{t('card.intro', { days: view.period.days })}</p>
          <Deadline deadlineAt={view.period.deadlineAt} />
        </>
      )}
      {view && !current && view.period && !canStart && <p className="muted">{t('card.none')}</p>}
      {current && <ApplicationView application={current} onDownload={download} />}
      {current?.status === 'collecting' && detail.can['judicial.apply'] && !links && (
        <div className="agr-actions">
          <button type="button" className="btn btn--secondary" disabled={busy} onClick={() => void newLinks(current.id)} data-testid="judicial-links-again">
            {t('card.linksAgain')}
          </button>
        </div>
      )}
      {links && current?.status === 'collecting' && <Links links={links} />}
      {canStart && view.period && (
        <>
          {current && <Deadline deadlineAt={view.period.deadlineAt} />}
          <StartForm busy={busy} again={current !== null} onStart={(id) => void start(id)} />
        </>
      )}
      {error && (
        <p className="agr-err" role="alert" data-testid="judicial-error">
          {error}
        </p>
      )}
      {earlier.length > 0 && (
        <details className="jud-earlier">
          <summary>{t('card.earlier')}</summary>
          {earlier.map((a) => (
            <ApplicationView key={a.id} application={a} onDownload={download} />
          ))}
        </details>
      )}
    </section>
  );
}

function ApplicationView({ application: a, onDownload }: { application: JudicialApplicationView; onDownload: (a: JudicialApplicationView) => void }) {
  const t = useJT();
  const lang = useLanguage();
  return (
    <div className="jud-application" data-testid="judicial-application" data-status={a.status}>
      <div className="agr-meta">
        <JudicialStatusPill status={a.status} />
        <span>
          {t('court')}
          {t('sep.colon')}
          <b data-testid="judicial-court">{a.court.name}</b>
        </span>
      </div>
      {a.status === 'collecting' && <Deadline deadlineAt={a.deadlineAt} />}
      {a.submittedAt && <p className="agr-note">{t('submittedAt', { time: formatTime(a.submittedAt, lang) })}</p>}
      <h3 className="subsection__title">{t('card.confirmations')}</h3>
      <PartyConfirmations application={a} />
      <Decision application={a} onDownload={() => onDownload(a)} />
    </div>
  );
}

function Links({ links }: { links: JudicialLinkInfo[] }) {
  const t = useJT();
  const at = useAT();
  return (
    <div data-testid="judicial-links">
      <h3 className="subsection__title">{t('card.links')}</h3>
      <p className="agr-note">{t('card.linksHint')}</p>
      {links.map((l) => (
        <PhoneLink key={l.partyId} url={l.url} label={sideAndName(at, l.side, l.name)} testId={`judicial-link-${l.partyId}`} />
      ))}
    </div>
  );
}

function StartForm({ busy, again, onStart }: { busy: boolean; again: boolean; onStart: (courtUnitId: string) => void }) {
  const t = useJT();
  const tm = useT();
  const courts = useAsync<CourtInfo[]>(() => judicialApi.courts(), []);
  const [courtId, setCourtId] = useState('');
  const list = courts.data ?? [];
  const chosen = courtId || (list.length === 1 ? list[0]!.id : '');
  if (courts.error !== undefined) return <Alert>{errorText(tm, courts.error)}</Alert>;
  if (courts.data && list.length === 0) return <p className="muted">{t('card.noCourts')}</p>;
  return (
    <div className="jud-start">
      <FormField label={t('card.chooseCourt')}>
        <select value={chosen} onChange={(e) => setCourtId(e.target.value)} data-testid="judicial-court-select">
          {list.length !== 1 && <option value="">{tm('cl.form.choose')}</option>}
          {list.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </FormField>
      <button type="button" className="btn btn--primary" disabled={busy || !chosen} onClick={() => onStart(chosen)} data-testid="judicial-start">
        {busy ? t('card.starting') : t(again ? 'card.again' : 'card.start')}
      </button>
    </div>
  );
}
