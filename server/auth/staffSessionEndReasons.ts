/** Why a staff login stopped being valid before it expired (also a cluster message's field). */
export const staffSessionEndReasons = ['logout', 'password_changed', 'account_disabled'] as const;
export type StaffSessionEndReason = (typeof staffSessionEndReasons)[number];
