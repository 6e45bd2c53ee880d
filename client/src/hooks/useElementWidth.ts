import { useEffect, useRef, type RefObject } from 'react';

/**
 * Reports the rendered width (CSS px, rounded) of an element whenever it changes, through a
 * ResizeObserver. The latest `onWidth` is always used; the observer is set up once per element.
 */
export function useElementWidth<E extends Element>(ref: RefObject<E | null>, onWidth: ((width: number) => void) | undefined): void {
  const callback = useRef(onWidth);
  callback.current = onWidth;
  const enabled = onWidth !== undefined;

  useEffect(() => {
    const element = ref.current;
    if (!element || !enabled || typeof ResizeObserver === 'undefined') return;
    let last = -1;
    const report = (width: number) => {
      const rounded = Math.round(width);
      if (rounded === last || rounded === 0) return;
      last = rounded;
      callback.current?.(rounded);
    };
    const observer = new ResizeObserver((entries) => {
      for (const entry of entries) report(entry.contentRect.width);
    });
    observer.observe(element);
    report(element.getBoundingClientRect().width);
    return () => observer.disconnect();
  }, [ref, enabled]);
}
