import { useTrackElement } from '../hooks/useTrackElement.ts';

/** Plays one remote microphone. Hidden; the browser mixes all of them. */
export function RemoteAudio({ peerId, track, onBlocked }: { peerId: string; track: MediaStreamTrack; onBlocked: () => void }) {
  const ref = useTrackElement<HTMLAudioElement>(track, onBlocked);
  return <audio ref={ref} autoPlay data-peer-id={peerId} data-remote-audio="" />;
}
