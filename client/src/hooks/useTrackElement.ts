import { useEffect, useRef } from 'react';

/**
 * Attaches a MediaStreamTrack to a <video> or <audio> element (srcObject) and starts playback.
 * `onBlocked` is called when the browser refuses to autoplay (usually audio without a user gesture).
 */
export function useTrackElement<E extends HTMLMediaElement>(track: MediaStreamTrack | null, onBlocked?: () => void) {
  const ref = useRef<E>(null);
  const blockedRef = useRef(onBlocked);
  blockedRef.current = onBlocked;

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    if (!track) {
      element.srcObject = null;
      return;
    }
    element.srcObject = new MediaStream([track]);
    const play = () => {
      element.play().catch((error: unknown) => {
        if (error instanceof DOMException && error.name === 'NotAllowedError') blockedRef.current?.();
      });
    };
    play();
    return () => {
      element.srcObject = null;
    };
  }, [track]);

  return ref;
}
