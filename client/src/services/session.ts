import type { StaffUser } from '@protocol/api.ts';
import { ValueStore } from './Store.ts';

/*
 * Credentials kept for the tab only (sessionStorage): the staff login, and the invitation token
 * that arrived in a /join link's fragment.
 */

const STAFF_KEY = 'cm.staff';
const INVITATION_KEY = 'cm.invitationToken';

export interface StaffAuth {
  token: string;
  expiresAt: string;
  user: StaffUser;
}

function load(): StaffAuth | null {
  try {
    const raw = sessionStorage.getItem(STAFF_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as StaffAuth;
    if (!parsed.token || Date.parse(parsed.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(STAFF_KEY);
      return null;
    }
    return parsed;
  } catch {
    return null;
  }
}

class StaffAuthStore extends ValueStore<StaffAuth | null> {
  constructor() {
    super(load());
  }

  signIn(auth: StaffAuth): void {
    sessionStorage.setItem(STAFF_KEY, JSON.stringify(auth));
    this.set(auth);
  }

  signOut(): void {
    sessionStorage.removeItem(STAFF_KEY);
    this.set(null);
  }

  get token(): string | null {
    return this.getSnapshot()?.token ?? null;
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
