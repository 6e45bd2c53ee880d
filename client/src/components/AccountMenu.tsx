import { useEffect, useId, useRef, useState } from 'react';
import { useT } from '../i18n/index.ts';
import { staffRoleLabel } from '../i18n/labels.ts';
import type { StaffAuth } from '../services/session.ts';
import { ChangePasswordDialog } from './ChangePasswordDialog.tsx';
import { UserIcon } from './Icons.tsx';
import '../styles/account-menu.css';

/**
 * The signed-in staff member's name in the header, opening a small panel with their account and
 * 修改密码 (a disclosure, not an ARIA menu: plain buttons, Tab order). Esc or a click outside closes it.
 */
export function AccountMenu({ auth }: { auth: StaffAuth }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [passwordOpen, setPasswordOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const role = staffRoleLabel(t, auth.user.role);

  useEffect(() => {
    if (!open) return;
    const onPointer = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div className="account-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="account-menu__button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        aria-label={auth.user.displayName}
        title={t('nav.signedInAs', { name: auth.user.displayName, role })}
        data-testid="account-menu"
      >
        <UserIcon size={20} />
        <span className="account-menu__name" aria-hidden="true">
          {auth.user.displayName}
        </span>
        <span className="account-menu__caret" aria-hidden="true" />
      </button>
      <div className="account-menu__panel" id={panelId} hidden={!open}>
        <p className="account-menu__who">
          <strong>{auth.user.displayName}</strong>
          <span className="muted">
            {auth.user.username} · {role}
          </span>
        </p>
        <button
          type="button"
          className="account-menu__item"
          onClick={() => {
            setOpen(false);
            setPasswordOpen(true);
          }}
          data-testid="open-password"
        >
          {t('account.password.open')}
        </button>
      </div>
      <ChangePasswordDialog open={passwordOpen} onClose={() => setPasswordOpen(false)} />
    </div>
  );
}
