import { useEffect, useState } from 'react';
import { replaceAddress } from '../router.tsx';

/** Where a page keeps its token for this tab (sessionStorage). */
export interface TokenStore {
  get(): string | null;
  set(token: string): void;
}

/**
 * Takes the token out of the link's fragment (`#t=…`; a fragment never reaches the server),
 * keeps it for this tab in `store` (so a reload still works), and removes it from the address bar
 * so it is not shown, bookmarked or shared by accident.
 */
function tokenFromFragment(store: TokenStore): string | null {
  const fromLink = new URLSearchParams(window.location.hash.replace(/^#/, '')).get('t');
  if (!fromLink) return null;
  store.set(fromLink);
  replaceAddress(window.location.pathname + window.location.search);
  return fromLink;
}

/**
 * The page's token: from the link's fragment, else the one kept for this tab. Another link opened
 * in the same tab only changes the fragment, so a hashchange picks up its token too.
 */
export function useFragmentToken(store: TokenStore): string | null {
  const [token, setToken] = useState(() => tokenFromFragment(store) ?? store.get());

  useEffect(() => {
    const onHashChange = () => {
      const next = tokenFromFragment(store);
      if (next) setToken(next);
    };
    window.addEventListener('hashchange', onHashChange);
    return () => window.removeEventListener('hashchange', onHashChange);
  }, [store]);

  return token;
}
