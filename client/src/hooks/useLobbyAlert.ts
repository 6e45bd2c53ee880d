import { useEffect, useRef, useState } from 'react';
import type { ParticipantState } from '@protocol/signalling.ts';
import { playChime } from '../services/chime.ts';

export interface LobbyAlert {
  /** Who arrived (one) or how many wait (several); null once dismissed or timed out. */
  names: string[];
  waiting: number;
  chime: 'pending' | 'played' | 'blocked';
  /** Increases with every new arrival, so the toast can be re-announced. */
  serial: number;
}

const SHOW_MS = 8000;

/**
 * For the mediator: when someone new enters the waiting room, a tone and a toast. Only arrivals
 * count (not people already waiting when the mediator joined, nor someone sent back twice in a row).
 */
export function useLobbyAlert(waiting: ParticipantState[], enabled: boolean): [LobbyAlert | null, () => void] {
  const [alert, setAlert] = useState<LobbyAlert | null>(null);
  const known = useRef<Set<string> | null>(null);
  const serial = useRef(0);
  const ids = waiting.map((p) => p.peerId).join(',');

  useEffect(() => {
    if (!enabled) return;
    const current = new Set(waiting.map((p) => p.peerId));
    const previous = known.current;
    known.current = current;
    if (previous === null) return; // the first look: these were waiting before we came
    const arrived = waiting.filter((p) => !previous.has(p.peerId));
    if (arrived.length === 0) {
      if (current.size === 0) setAlert(null);
      return;
    }
    const next = ++serial.current;
    setAlert({ names: arrived.map((p) => p.displayName), waiting: current.size, chime: 'pending', serial: next });
    void playChime().then((ok) => setAlert((a) => (a && a.serial === next ? { ...a, chime: ok ? 'played' : 'blocked' } : a)));
  }, [ids, enabled]);

  useEffect(() => {
    if (!alert) return;
    const timer = window.setTimeout(() => setAlert((a) => (a?.serial === alert.serial ? null : a)), SHOW_MS);
    return () => window.clearTimeout(timer);
  }, [alert?.serial]);

  return [alert, () => setAlert(null)];
}
