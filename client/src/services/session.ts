import type { StaffUser } from '@protocol/api.ts';
import { ValueStore } from './Store.ts';

/*
 * Credentials in the browser. The staff login is shared by every tab of this browser
 * (localStorage): opening a case in a second tab keeps the mediator in the call in the first.
 * It expires at the server's expiry; signing out in one tab signs out all of them (the `storage`
 * event). The invitation token that arrived in a /join link's fragment stays with its tab.
 */

const STAFF_KEY = 'cm.staff';
const INVITATION_KEY = 'cm.invitationToken';

export interface StaffAuth {
  token: string;
  expiresAt: string;
  user: StaffUser;
}

function parse(raw: string | null): StaffAuth | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as StaffAuth;
    if (!parsed.token || !parsed.user || !(Date.parse(parsed.expiresAt) > Date.now())) return null;
    return parsed;
  } catch {
    return null;
  }
}

function storage(kind: 'localStorage' | 'sessionStorage'): Storage | null {
  try {
    return window[kind];
  } catch {
    return null; // storage disabled (some in-app browsers, private modes)
  }
}

/** The shared login; a login kept only for this tab by an older version is moved over. */
function load(): StaffAuth | null {
  const shared = storage('localStorage');
  const tab = storage('sessionStorage');
  const fromShared = parse(shared?.getItem(STAFF_KEY) ?? null);
  if (fromShared) return fromShared;
  shared?.removeItem(STAFF_KEY);
  const fromTab = parse(tab?.getItem(STAFF_KEY) ?? null);
  tab?.removeItem(STAFF_KEY);
  if (fromTab) shared?.setItem(STAFF_KEY, JSON.stringify(fromTab));
  return fromTab;
}

/** setTimeout's limit (about 24.8 days); a longer login is re-checked then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

class StaffAuthStore extends ValueStore<StaffAuth | null> {
  #expiryTimer: number | undefined;

  constructor() {
    super(load());
    this.#scheduleExpiry();
    if (typeof window !== 'undefined') {
      // Another tab signed in or out (the event fires in every other tab of this origin).
      window.addEventListener('storage', (event) => {
        if (event.key !== STAFF_KEY && event.key !== null) return;
        this.#apply(parse(event.newValue ?? storage('localStorage')?.getItem(STAFF_KEY) ?? null));
      });
    }
  }

  signIn(auth: StaffAuth): void {
    storage('localStorage')?.setItem(STAFF_KEY, JSON.stringify(auth));
    this.#apply(auth);
  }

  /** Signs out here and in every other tab. */
  signOut(): void {
    storage('localStorage')?.removeItem(STAFF_KEY);
    storage('sessionStorage')?.removeItem(STAFF_KEY);
    this.#apply(null);
  }

  get token(): string | null {
    return this.getSnapshot()?.token ?? null;
  }

  #apply(auth: StaffAuth | null): void {
    const current = this.getSnapshot();
    if (current?.token !== auth?.token || current?.expiresAt !== auth?.expiresAt) this.set(auth);
    this.#scheduleExpiry();
  }

  #scheduleExpiry(): void {
    if (typeof window === 'undefined') return;
    window.clearTimeout(this.#expiryTimer);
    const auth = this.getSnapshot();
    if (!auth) return;
    const left = Date.parse(auth.expiresAt) - Date.now();
    this.#expiryTimer = window.setTimeout(
      () => {
        if (Date.parse(auth.expiresAt) <= Date.now()) this.signOut();
        else this.#scheduleExpiry();
      },
      Math.min(Math.max(left, 0), MAX_TIMER_MS),
    );
  }
}

export const staffAuth = new StaffAuthStore();

export const invitationToken = {
  get(): string | null {
    return sessionStorage.getItem(INVITATION_KEY);
  },
  set(token: string): void {
    sessionStorage.setItem(INVITATION_KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(INVITATION_KEY);
  },
};
