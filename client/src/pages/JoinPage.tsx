import { useState } from 'react';
import type { InvitationPreview } from '@protocol/api.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, MessageCard, Spinner } from '../components/Feedback.tsx';
import { MediaCall } from '../components/MediaCall.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useFragmentToken } from '../hooks/useFragmentToken.ts';
import { useT } from '../i18n/index.ts';
import { roomKey } from '../i18n/roomWording.tsx';
import { errorText, participantLabel } from '../i18n/labels.ts';
import { ApiError, api } from '../services/api.ts';
import { invitationToken } from '../services/session.ts';
import { isRecordingOn } from '../services/recording.ts';
import '../styles/join.css';

export function JoinPage() {
  const t = useT();
  // The invitation link is /join#t=…; the token is kept for this tab and taken out of the address bar.
  const token = useFragmentToken(invitationToken);

  if (!token) {
    return (
      <AppShell narrow>
        <MessageCard title={t('join.invalid.title')}>
          <p>{t('join.invalid.noToken')}</p>
        </MessageCard>
      </AppShell>
    );
  }
  return <JoinWithToken key={token} token={token} />;
}

function JoinWithToken({ token }: { token: string }) {
  const t = useT();
  const preview = useAsync(() => api.invitationPreview(token), [token]);
  const [ready, setReady] = useState(false);

  if (preview.loading && !preview.data) {
    return (
      <AppShell narrow>
        <Spinner label={t('join.loading')} />
      </AppShell>
    );
  }
  if (preview.error !== undefined || !preview.data) {
    const invalid = preview.error instanceof ApiError && ['unauthenticated', 'gone', 'not_found', 'forbidden', 'bad_request'].includes(preview.error.code);
    return (
      <AppShell narrow>
        <MessageCard
          title={t('join.invalid.title')}
          actions={
            invalid ? undefined : (
              <button type="button" className="btn btn--primary" onClick={preview.reload}>
                {t('common.retry')}
              </button>
            )
          }
        >
          <p data-testid="join-error">{invalid ? t('join.invalid.expired') : errorText(t, preview.error)}</p>
        </MessageCard>
      </AppShell>
    );
  }

  const info = preview.data;
  if (info.sessionStatus === 'ended') {
    return (
      <AppShell narrow>
        <MessageCard title={t('join.ended.title')}>
          <p>{t('join.ended.body')}</p>
        </MessageCard>
      </AppShell>
    );
  }

  const roleLabel = participantLabel(t, { role: info.role, side: info.side });
  if (!ready) return <Landing info={info} roleLabel={roleLabel} onNext={() => setReady(true)} />;

  return (
    <MediaCall
      auth={{ kind: 'invitation', token }}
      displayName={info.displayName}
      role={info.role}
      roleLabel={roleLabel}
      partyContext={{ caseNumber: info.caseNumber, caseTitle: info.caseTitle, contact: info.contact }}
      kind={info.kind}
      recording={info.recording}
      heading={
        <>
          <span className="room__case-number">{info.caseNumber}</span>
          <span className="room__case-title">{info.caseTitle}</span>
        </>
      }
      frame={(content) => (
        <AppShell>
          <CaseStrip info={info} />
          {content}
        </AppShell>
      )}
    />
  );
}

function CaseStrip({ info }: { info: InvitationPreview }) {
  const t = useT();
  return (
    <p className="case-strip">
      <span>
        <span className="muted">{t('join.caseNumber')}</span> {info.caseNumber}
      </span>
      <span className="case-strip__sep" aria-hidden="true" />
      <span>{info.caseTitle}</span>
    </p>
  );
}

function Landing({ info, roleLabel, onNext }: { info: InvitationPreview; roleLabel: string; onNext: () => void }) {
  const t = useT();
  return (
    <AppShell narrow>
      <section className="card landing" data-testid="invitation-landing">
        <h1 className="landing__hello">{t('join.welcome', { name: info.displayName })}</h1>
        <p className="landing__lead">{t(roomKey(info.kind, 'join.invitedTo'))}</p>
        <dl className="landing__facts">
          <div>
            <dt>{t('join.caseNumber')}</dt>
            <dd>{info.caseNumber}</dd>
          </div>
          <div>
            <dt>{t('join.caseTitle')}</dt>
            <dd>{info.caseTitle}</dd>
          </div>
          <div>
            <dt>{t('join.as')}</dt>
            <dd>
              <span className="role-badge" data-testid="invitation-role">
                {roleLabel}
              </span>
            </dd>
          </div>
        </dl>
        <Alert tone="info">{t(roomKey(info.kind, 'join.privacy'))}</Alert>
        {isRecordingOn(info.recording) && (
          <Alert tone="warning">
            <span data-testid="landing-recording">{t('rec.notice.body')}</span>
          </Alert>
        )}
        <button type="button" className="btn btn--primary btn--xl btn--block" onClick={onNext} data-testid="continue">
          {t('join.next')}
        </button>
      </section>
    </AppShell>
  );
}
