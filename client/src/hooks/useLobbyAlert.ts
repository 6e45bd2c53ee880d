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
  // The effect runs when who waits changes, not on every new array of the same people.
  const roster = JSON.stringify(waiting.map((p) => [p.peerId, p.displayName]));
  const shown = alert?.serial;

  useEffect(() => {
    if (!enabled) return;
    const people = (JSON.parse(roster) as Array<[string, string]>).map(([peerId, displayName]) => ({ peerId, displayName }));
    const current = new Set(people.map((p) => p.peerId));
    const previous = known.current;
    known.current = current;
    if (previous === null) return; // the first look: these were waiting before we came
    const arrived = people.filter((p) => !previous.has(p.peerId));
    if (arrived.length === 0) {
      if (current.size === 0) setAlert(null);
      return;
    }
    const next = ++serial.current;
    setAlert({ names: arrived.map((p) => p.displayName), waiting: current.size, chime: 'pending', serial: next });
    void playChime().then((ok) => setAlert((a) => (a && a.serial === next ? { ...a, chime: ok ? 'played' : 'blocked' } : a)));
  }, [roster, enabled]);

  useEffect(() => {
    if (shown === undefined) return;
    const timer = window.setTimeout(() => setAlert((a) => (a?.serial === shown ? null : a)), SHOW_MS);
    return () => window.clearTimeout(timer);
  }, [shown]);

  return [alert, () => setAlert(null)];
}
