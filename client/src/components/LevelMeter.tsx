import { useEffect, useRef } from 'react';
import { AudioLevelMeter } from '../services/AudioLevelMeter.ts';

const SEGMENTS = 14;

/** A row of segments that light up with the microphone's loudness. */
export function LevelMeter({ track, label }: { track: MediaStreamTrack | null; label: string }) {
  const barRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const bar = barRef.current;
    if (!track || !bar) return;
    let meter: AudioLevelMeter;
    try {
      meter = new AudioLevelMeter(track);
    } catch {
      return;
    }
    const segments = Array.from(bar.children) as HTMLElement[];
    let lit = -1;
    let frame = 0;
    const tick = () => {
      const level = track.enabled ? meter.getLevel() : 0;
      const next = Math.round(level * SEGMENTS);
      if (next !== lit) {
        lit = next;
        segments.forEach((s, i) => s.classList.toggle('is-lit', i < next));
      }
      frame = window.requestAnimationFrame(tick);
    };
    frame = window.requestAnimationFrame(tick);
    // Audio contexts start suspended until the user touches the page.
    const resume = () => meter.resume();
    document.addEventListener('pointerdown', resume);
    document.addEventListener('keydown', resume);
    return () => {
      window.cancelAnimationFrame(frame);
      document.removeEventListener('pointerdown', resume);
      document.removeEventListener('keydown', resume);
      meter.close();
      segments.forEach((s) => s.classList.remove('is-lit'));
    };
  }, [track]);

  return (
    <div className="level-meter" role="img" aria-label={label} data-testid="mic-level">
      <div className="level-meter__bar" ref={barRef}>
        {Array.from({ length: SEGMENTS }, (_, i) => (
          <span key={i} className="level-meter__seg" />
        ))}
      </div>
    </div>
  );
}
