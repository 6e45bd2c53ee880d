import { useState, type ReactNode } from 'react';
import type { ParticipantState, RoomStateInfo } from '@protocol/signalling.ts';
import { isHost } from '@protocol/roles.ts';
import type { MediaSession } from '../services/MediaSession.ts';
import { useRoomT } from '../i18n/roomWording.tsx';
import { participantLabel } from '../i18n/labels.ts';
import { ConfirmDialog } from './Dialog.tsx';
import { RecordingControls } from './RecordingControls.tsx';

interface Props {
  session: MediaSession;
  state: RoomStateInfo;
  quality: Record<string, number>;
  /** Case number, dispute type, parties, deadline: shown above the lists. */
  summary?: ReactNode;
  /** Opens the invitation sheet over the call (omitted when this person may not invite). */
  onInvite?: (() => void) | undefined;
}

const minutesSince = (ms: number | null) => (ms === null ? 0 : Math.max(0, Math.floor((Date.now() - ms) / 60_000)));

/** The mediator's controls in one place: invite, waiting list, participants, caucus, lock, end. */
export function MediatorPanel({ session, state, quality, summary, onInvite }: Props) {
  const t = useRoomT();
  const [picked, setPicked] = useState<string[]>([]);
  const [denying, setDenying] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [removing, setRemoving] = useState<ParticipantState | null>(null);
  const [ending, setEnding] = useState(false);
  const act = (p: Promise<unknown>) => void p.catch((error: unknown) => console.warn('[room] action refused', error));
  const waiting = state.roster.filter((p) => p.place === 'lobby');
  const inRoom = state.roster.filter((p) => p.place !== 'lobby' && p.peerId !== state.self.peerId);
  const label = (p: ParticipantState) => participantLabel(t, p);

  return (
    <aside className="mediator-panel" data-testid="mediator-panel">
      <div className="mediator-panel__scroll">
        {summary && <section className="panel panel--summary">{summary}</section>}
        {onInvite && (
          <button type="button" className="btn btn--primary btn--block" onClick={onInvite} data-testid="room-invite-open">
            {t('room.invite.open')}
          </button>
        )}

        <RecordingControls session={session} recording={state.recording} />

        <section className="panel" id="waiting-list" data-testid="waiting-list">
          <h2 className="panel__title">
            {t('room.panel.waiting', { n: waiting.length })}
            {waiting.length > 1 && (
              <button type="button" className="btn btn--small btn--primary" onClick={() => act(session.admitAll())} data-testid="admit-all">
                {t('room.panel.admitAll')}
              </button>
            )}
          </h2>
          {waiting.length === 0 && <p className="muted">{t('room.panel.waitingEmpty')}</p>}
          <ul className="roster">
            {waiting.map((p) => (
              <li key={p.peerId} className="roster__row" data-testid="waiting-row" data-peer-id={p.peerId}>
                <span className="roster__who">
                  <strong>{p.displayName}</strong> <span className="muted">{label(p)}</span>
                  <span className="muted roster__since">{t('room.panel.waitingFor', { min: minutesSince(p.waitingSince) })}</span>
                </span>
                {denying === p.peerId ? (
                  <span className="roster__actions">
                    <input value={reason} onChange={(e) => setReason(e.target.value)} placeholder={t('room.panel.denyReason')} data-testid="deny-reason" />
                    <button
                      type="button"
                      className="btn btn--small btn--danger"
                      onClick={() => {
                        act(session.deny(p.peerId, reason));
                        setDenying(null);
                        setReason('');
                      }}
                      data-testid="deny-confirm"
                    >
                      {t('room.panel.deny')}
                    </button>
                  </span>
                ) : (
                  <span className="roster__actions">
                    <button type="button" className="btn btn--small btn--primary" onClick={() => act(session.admit(p.peerId))} data-testid="admit">
                      {t('room.panel.admit')}
                    </button>
                    <button type="button" className="btn btn--small btn--ghost" onClick={() => setDenying(p.peerId)} data-testid="deny">
                      {t('room.panel.deny')}
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
          <button type="button" className="btn btn--small btn--ghost" onClick={() => act(session.setLocked(!state.locked))} data-testid="lock">
            {state.locked ? t('room.panel.unlock') : t('room.panel.lock')}
          </button>
        </section>

        <section className="panel" data-testid="participants">
          <h2 className="panel__title">{t('room.panel.participants')}</h2>
          <ul className="roster">
            {inRoom.map((p) => (
              <li key={p.peerId} className="roster__row" data-testid="participant-row" data-peer-id={p.peerId} data-place={p.place}>
                <span className="roster__who">
                  {!state.caucus.active && !isHost(p.role) && p.role !== 'observer' && (
                    <input
                      type="checkbox"
                      checked={picked.includes(p.peerId)}
                      onChange={(e) => setPicked((x) => (e.target.checked ? [...x, p.peerId] : x.filter((id) => id !== p.peerId)))}
                      aria-label={t('room.panel.caucus')}
                      data-testid="caucus-pick"
                    />
                  )}
                  <strong>{p.displayName}</strong> <span className="muted">{label(p)}</span>
                  {p.lead && <span className="tag">{t('room.panel.lead')}</span>}
                  {p.place === 'caucus' && <span className="tag tag--caucus">{t('room.panel.inCaucus')}</span>}
                  {p.handRaised && <span className="tag tag--hand">{t('room.handRaised')}</span>}
                  {quality[p.peerId] !== undefined && <span className="muted">{t('room.quality', { n: quality[p.peerId]! })}</span>}
                </span>
                {!isHost(p.role) && (
                  <span className="roster__actions">
                    <button type="button" className="btn btn--small" onClick={() => act(session.mutePeer(p.peerId, 'mic'))} data-testid="mute-peer">
                      {t('room.panel.mute')}
                    </button>
                    <button type="button" className="btn btn--small" onClick={() => act(session.mutePeer(p.peerId, 'webcam'))} data-testid="stop-cam">
                      {t('room.panel.stopCam')}
                    </button>
                    <button type="button" className="btn btn--small" onClick={() => act(session.askUnmute(p.peerId))} data-testid="ask-unmute">
                      {t('room.panel.askUnmute')}
                    </button>
                    {(p.role === 'official' || p.role === 'observer') && (
                      <button
                        type="button"
                        className="btn btn--small"
                        onClick={() => act(session.setRights(p.peerId, { publish: !p.canPublish }))}
                        data-testid="toggle-publish"
                      >
                        {p.canPublish ? t('room.panel.revokePublish') : t('room.panel.allowPublish')}
                      </button>
                    )}
                    {p.role === 'party' && (
                      <button
                        type="button"
                        className="btn btn--small"
                        onClick={() => act(session.setRights(p.peerId, { share: !p.canShare }))}
                        data-testid="toggle-share"
                      >
                        {p.canShare ? t('room.panel.revokeShare') : t('room.panel.allowShare')}
                      </button>
                    )}
                    <button type="button" className="btn btn--small" onClick={() => act(session.sendBack(p.peerId))} data-testid="send-back">
                      {t('room.panel.sendBack')}
                    </button>
                    <button type="button" className="btn btn--small btn--danger" onClick={() => setRemoving(p)} data-testid="remove-peer">
                      {t('room.panel.remove')}
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>

        <section className="panel">
          <h2 className="panel__title">{t('room.panel.caucus')}</h2>
          {state.caucus.active ? (
            <button type="button" className="btn btn--primary btn--block" onClick={() => act(session.endCaucus())} data-testid="caucus-end">
              {t('room.panel.caucusEnd')}
            </button>
          ) : (
            <>
              <p className="muted">{t('room.panel.caucusHint')}</p>
              <button
                type="button"
                className="btn btn--primary btn--block"
                disabled={picked.length === 0 || state.paused}
                onClick={() => {
                  act(session.startCaucus(picked));
                  setPicked([]);
                }}
                data-testid="caucus-start"
              >
                {t('room.panel.caucusStart')}
              </button>
            </>
          )}
        </section>
      </div>
      <div className="mediator-panel__foot">
        <button type="button" className="btn btn--danger btn--block" onClick={() => setEnding(true)} data-testid="end-all">
          {t('room.panel.endAll')}
        </button>
      </div>
      <ConfirmDialog
        open={removing !== null}
        title={t('room.confirm.remove.title', { name: removing?.displayName ?? '' })}
        body={<p>{t('room.confirm.remove.body', { name: removing?.displayName ?? '' })}</p>}
        confirmLabel={t('room.confirm.remove.ok')}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (removing) act(session.removePeer(removing.peerId));
          setRemoving(null);
        }}
        testId="confirm-remove"
      />
      <ConfirmDialog
        open={ending}
        title={t('room.panel.endConfirm')}
        body={<p>{t('room.confirm.end.body')}</p>}
        confirmLabel={t('room.confirm.end.ok')}
        onCancel={() => setEnding(false)}
        onConfirm={() => {
          setEnding(false);
          act(session.endForAll());
        }}
        testId="confirm-end"
      />
    </aside>
  );
}
