import { isHost, type ParticipantRole } from '@protocol/roles.ts';
import { AppShell } from '../components/AppShell.tsx';
import { Alert, MessageCard, Spinner } from '../components/Feedback.tsx';
import { MediaCall } from '../components/MediaCall.tsx';
import { useAsync } from '../hooks/useAsync.ts';
import { useStore } from '../hooks/useStore.ts';
import { useT } from '../i18n/index.ts';
import { caseStateLabel, errorText, participantLabel } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { staffAuth } from '../services/session.ts';
import { Link } from '../router.tsx';
import { hasKey, type Translate } from '../i18n/index.ts';
import { LightBadge } from '../components/caseloop/LightBadge.tsx';
import { InvitationPanel } from '../components/InvitationPanel.tsx';
import '../styles/join.css';

const disputeTypeText = (t: Translate, type: string) => {
  const key = `disputeType.${type}`;
  return hasKey(key) ? t(key) : type;
};

/** The mediator's (or, for a hearing, the judge's) way into the room: `/session/:sessionId`. */
export function StaffSessionPage({ sessionId }: { sessionId: string }) {
  const t = useT();
  const auth = useStore(staffAuth);
  const session = useAsync(async () => {
    const info = await api.getSession(sessionId);
    // The case title is a nicety for the room's top bar; the room works without it.
    const kase = await api.getCase(info.caseId).then(
      (c) => c,
      () => null,
    );
    return { ...info, caseTitle: kase?.title ?? null, kase };
  }, [sessionId]);

  if (!auth) return null;
  if (session.loading && !session.data) {
    return (
      <AppShell staff>
        <Spinner label={t('session.loading')} />
      </AppShell>
    );
  }
  if (!session.data) {
    return (
      <AppShell staff narrow>
        <Alert>{errorText(t, session.error)}</Alert>
        <Link to="/" className="btn btn--ghost">
          {t('case.back')}
        </Link>
      </AppShell>
    );
  }

  const info = session.data;
  const backToCase = (
    <Link to={`/cases/${encodeURIComponent(info.caseId)}`} className="btn btn--ghost btn--lg">
      {t('room.backToCase')}
    </Link>
  );
  if (info.status === 'ended') {
    return (
      <AppShell staff narrow>
        <MessageCard title={t('join.ended.title')} actions={backToCase}>
          <p>{t('session.ended')}</p>
        </MessageCard>
      </AppShell>
    );
  }

  // A judge hosts a hearing of their court's application; the server admits nobody else with a staff role to it.
  const role: ParticipantRole = auth.user.role === 'official' ? 'official' : auth.user.role === 'judge' ? 'judge' : 'mediator';
  const hosting = isHost(role);
  return (
    <MediaCall
      auth={{ kind: 'staff', token: auth.token, sessionId }}
      displayName={auth.user.displayName}
      role={role}
      kind={info.kind}
      roleLabel={participantLabel(t, { role, side: null, department: auth.user.department })}
      heading={
        <>
          {info.kind === 'hearing' && (
            <span className="tag tag--lead" data-testid="hearing-badge" title={t('hearing.badge')}>
              {t('hearing.title')}
            </span>
          )}
          <span className="room__case-number">{info.caseNumber}</span>
          {info.caseTitle && <span className="room__case-title">{info.caseTitle}</span>}
        </>
      }
      endActions={backToCase}
      // The mediator's own consent is given by starting the recording; an official reads the notice first.
      recording={hosting ? undefined : info.recording}
      invite={hosting && info.kase ? <InvitationPanel sessionId={sessionId} parties={info.kase.parties} /> : undefined}
      summary={
        info.kase ? (
          <dl className="case-summary" data-testid="case-summary">
            <div>
              <dt>{t('room.panel.case')}</dt>
              <dd>{info.caseNumber}</dd>
            </div>
            <div>
              <dt>{t('room.panel.disputeType')}</dt>
              <dd>{disputeTypeText(t, info.kase.disputeType)}</dd>
            </div>
            <div>
              <dt>{t('case.parties')}</dt>
              <dd>{info.kase.parties.map((p) => p.name).join(t('punct.list'))}</dd>
            </div>
            <div>
              <dt>{t('room.panel.state')}</dt>
              <dd data-testid="case-summary-state">{caseStateLabel(t, info.kase.state)}</dd>
            </div>
            <div>
              <dt>{t('room.panel.deadline')}</dt>
              <dd data-testid="case-summary-light">
                <LightBadge kase={info.kase} />
              </dd>
            </div>
          </dl>
        ) : undefined
      }
      frame={(content) => (
        <AppShell staff>
          <p className="case-strip">
            {info.kind === 'hearing' && <span className="tag tag--lead">{t('hearing.badge')}</span>}
            <Link to={`/cases/${encodeURIComponent(info.caseId)}`}>{info.caseNumber}</Link>
            {info.caseTitle && (
              <>
                <span className="case-strip__sep" aria-hidden="true" />
                <span>{info.caseTitle}</span>
              </>
            )}
          </p>
          {content}
        </AppShell>
      )}
    />
  );
}
