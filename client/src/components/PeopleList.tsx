import type { PeerInfo, RoomStateInfo } from '@protocol/signalling.ts';
import { isHost } from '@protocol/roles.ts';
import { useT } from '../i18n/index.ts';
import { participantLabel } from '../i18n/labels.ts';

interface Props {
  self: PeerInfo | null;
  selfName: string;
  selfRoleLabel: string;
  peers: PeerInfo[];
  room: RoomStateInfo | null;
}

/** Who is in the room with me, with their roles (for everyone; the mediator also has the roster). */
export function PeopleList({ self, selfName, selfRoleLabel, peers, room }: Props) {
  const t = useT();
  const excluded = room?.caucus.active && !room.caucus.withMe;
  return (
    <section className="panel people" data-testid="people-list" aria-label={t('room.people.toggle')}>
      <h2 className="panel__title">{t('room.people.title', { n: peers.length + 1 })}</h2>
      <ul className="roster">
        <li className="roster__row" data-testid="people-row" data-role={self?.role}>
          <span className="roster__who">
            <strong>{self?.displayName ?? selfName}</strong>
            <span className="tag">{self ? participantLabel(t, self) : selfRoleLabel}</span>
            <span className="muted">{t('room.people.me')}</span>
          </span>
        </li>
        {peers.map((p) => (
          <li key={p.id} className="roster__row" data-testid="people-row" data-role={p.role}>
            <span className="roster__who">
              <strong>{p.displayName}</strong>
              <span className={`tag${isHost(p.role) ? ' tag--lead' : ''}`}>{participantLabel(t, p)}</span>
            </span>
          </li>
        ))}
      </ul>
      {excluded && <p className="muted">{t('room.people.hiddenInCaucus')}</p>}
    </section>
  );
}
