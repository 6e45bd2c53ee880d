import { useEffect, useState } from 'react';
import type { JudicialApplicationView, JudicialRulingInfo, JudicialStatus } from '@protocol/judicial.ts';
import { useLanguage } from '../../i18n/index.ts';
import { formatTime, sideAndName, useAT } from '../agreement/i18n.ts';
import { CopyField } from '../CopyField.tsx';
import { useJT, type JT } from './i18n.ts';
import './judicial.css';

const DAY_MS = 24 * 3600_000;

/** How each status looks: the agreement card's pills (signing = waiting, sealed = done) and a red one for the bad ends. */
const statusTone: Record<JudicialStatus, 'wait' | 'good' | 'bad' | 'off'> = {
  collecting: 'wait',
  submitted: 'wait',
  confirmed: 'good',
  rejected: 'bad',
  lapsed: 'off',
  withdrawn: 'off',
};

export function JudicialStatusPill({ status }: { status: JudicialStatus }) {
  const t = useJT();
  return (
    <span className={`jud-status jud-status--${statusTone[status]}`} data-testid="judicial-status" data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}

/** 申请期限至 2026/01/05 · 还剩 3 天 (days counted to the end of the period; the last day says so). */
export function deadlineText(t: JT, deadlineAt: string, lang: string, now = Date.now()): { date: string; left: string; over: boolean } {
  const ms = Date.parse(deadlineAt) - now;
  const date = new Date(deadlineAt).toLocaleDateString(lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai' });
  if (ms <= 0) return { date, left: t('overdue'), over: true };
  const days = Math.floor(ms / DAY_MS);
  return { date, left: days === 0 ? t('lastDay') : t('daysLeft', { n: days }), over: false };
}

export function Deadline({ deadlineAt }: { deadlineAt: string }) {
  const t = useJT();
  const lang = useLanguage();
  const d = deadlineText(t, deadlineAt, lang);
  return (
    <p className={`jud-deadline${d.over ? ' jud-deadline--over' : ''}`} data-testid="judicial-deadline">
      <span>{t('deadline', { date: d.date })}</span>
      <b>{d.left}</b>
    </p>
  );
}

/** Each party of the application: confirmed (with the time) or not yet. */
export function PartyConfirmations({ application }: { application: JudicialApplicationView }) {
  const t = useJT();
  const at = useAT();
  const lang = useLanguage();
  return (
    <ul className="agr-signers jud-parties" data-testid="judicial-parties">
      {application.parties.map((p) => (
        <li key={p.partyId} data-status={p.status} data-testid="judicial-party">
          <span>{sideAndName(at, p.side, p.name)}</span>
          {p.at && <small>{t('party.confirmedAt', { time: formatTime(p.at, lang) })}</small>}
          <span className={`agr-pill${p.status === 'confirmed' ? ' agr-pill--signed' : ''}`}>{t(`party.${p.status}`)}</span>
        </li>
      ))}
    </ul>
  );
}

/** The decision: what was ruled, when, the reasons, and the sealed ruling with its download and verification link. */
export function Decision({ application, onDownload }: { application: JudicialApplicationView; onDownload: (ruling: JudicialRulingInfo) => void }) {
  const t = useJT();
  const lang = useLanguage();
  const { ruling, decision } = application;
  if (!decision) return null;
  return (
    <div className={`jud-decision jud-decision--${decision}`} data-testid="judicial-decision" data-decision={decision}>
      <p className="jud-decision__head">
        <b>{t(`ruled.${decision}`)}</b>
        {application.decidedAt && <span>{t('decidedAt', { time: formatTime(application.decidedAt, lang) })}</span>}
      </p>
      {application.decisionReasons && (
        <p className="jud-decision__reasons" data-testid="judicial-reasons">
          {t('reasons')}
          {t('sep.colon')}
          {application.decisionReasons}
        </p>
      )}
      {ruling && (
        <>
          <dl className="agr-kv">
            <dt>{t('rulingNo')}</dt>
            <dd data-testid="judicial-ruling-number">{ruling.number}</dd>
            <dt>{t('verifyCode')}</dt>
            <dd>
              <code data-testid="judicial-ruling-code">{ruling.verificationCode}</code>
            </dd>
          </dl>
          <div className="agr-actions">
            <button type="button" className="btn btn--primary" onClick={() => onDownload(ruling)} data-testid="judicial-ruling-download">
              {t('download')}
            </button>
            <a className="btn btn--ghost" href={verifyHref(ruling)} target="_blank" rel="noopener" data-testid="judicial-ruling-verify">
              {t('verify')}
            </a>
          </div>
        </>
      )}
    </div>
  );
}

/** The verification page for the ruling on this site, its code prefilled. */
export function verifyHref(ruling: JudicialRulingInfo): string {
  return `/verify#c=${encodeURIComponent(ruling.verificationCode)}`;
}

/** A party's phone link: copy it, or scan its QR code (drawn here, as the invitations' are). */
export function PhoneLink({ url, label, testId }: { url: string; label: string; testId: string }) {
  const t = useJT();
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void import('qrcode').then((QRCode) => QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }).then((s) => live && setSvg(s)));
    return () => {
      live = false;
    };
  }, [url]);
  return (
    <div className="invite-link jud-link" data-testid={testId} data-url={url}>
      <div className="invite-link__main">
        <p className="jud-link__who">{label}</p>
        <CopyField value={url} label={label} />
      </div>
      {svg && (
        <figure className="invite-link__qr">
          <img src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`} alt={label} width={132} height={132} />
          <figcaption>{t('card.scan')}</figcaption>
        </figure>
      )}
    </div>
  );
}
