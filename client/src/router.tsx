import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { ValueStore } from './services/Store.ts';
import { useStore } from './hooks/useStore.ts';

/*
 * A tiny pathname router: the location lives in a store, navigate() pushes history,
 * and popstate (back / forward) updates the store.
 */

export interface Location {
  pathname: string;
  search: string;
  hash: string;
}

const read = (): Location => ({
  pathname: window.location.pathname,
  search: window.location.search,
  hash: window.location.hash,
});

const locationStore = new ValueStore<Location>(read());
window.addEventListener('popstate', () => locationStore.set(read()));

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  locationStore.set(read());
  if (!options.replace) window.scrollTo(0, 0);
}

/** Rewrites the address bar without a navigation (e.g. to drop a token from the fragment). */
export function replaceAddress(to: string): void {
  window.history.replaceState(window.history.state, '', to);
  locationStore.set(read());
}

export function useLocation(): Location {
  return useStore(locationStore);
}

/** Matches `/cases/:caseId` style patterns; returns the params or null. */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split('/').filter(Boolean);
  const have = pathname.replace(/\/+$/, '').split('/').filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const h = have[i]!;
    if (w.startsWith(':')) params[w.slice(1)] = decodeURIComponent(h);
    else if (w !== h) return null;
  }
  return params;
}

type LinkProps = AnchorHTMLAttributes<HTMLAnchorElement> & { to: string };

export function Link({ to, onClick, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...rest} />;
}
