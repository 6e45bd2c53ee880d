import { Fragment, useId, useState } from 'react';
import { newPasswordProblem, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, type ChangePasswordResponse, type NewPasswordProblem } from '@protocol/accounts.ts';
import { useStore } from '../hooks/useStore.ts';
import { useT, type MessageKey } from '../i18n/index.ts';
import { fieldErrorText } from '../i18n/labels.ts';
import { api } from '../services/api.ts';
import { staffAuth } from '../services/session.ts';
import { useApiSubmit } from '../hooks/useFieldErrors.ts';
import { Dialog } from './Dialog.tsx';
import { Alert } from './Feedback.tsx';
import { FormField } from './FormField.tsx';

type Field = 'currentPassword' | 'newPassword' | 'repeat';
const empty: Record<Field, string> = { currentPassword: '', newPassword: '', repeat: '' };

/**
 * 修改密码: current, new and repeated. The policy is checked here first (the same rules as the
 * server's, from the protocol); the server's field errors (a wrong current password) show under
 * their fields. The other logins end; this one stays.
 */
export function ChangePasswordDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const t = useT();
  const auth = useStore(staffAuth);
  const formId = useId();
  const [values, setValues] = useState(empty);
  const [local, setLocal] = useState<Partial<Record<Field, string>>>({});
  const [done, setDone] = useState<ChangePasswordResponse | null>(null);

  const { busy, errors, submit } = useApiSubmit(async () => {
    const problems = check(values, auth?.user.username ?? '');
    setLocal(Object.fromEntries(Object.entries(problems).map(([f, key]) => [f, typeof key === 'string' ? t(key) : fieldErrorText(t, f, key)])));
    if (Object.keys(problems).length > 0) return;
    setDone(await api.changePassword({ currentPassword: values.currentPassword, newPassword: values.newPassword }));
  });

  const close = () => {
    setValues(empty);
    setLocal({});
    setDone(null);
    errors.reset();
    onClose();
  };
  const set = (field: Field) => (e: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: e.target.value }));
    setLocal((l) => ({ ...l, [field]: undefined }));
  };
  const errorOf = (field: Field) => local[field] ?? (field === 'repeat' ? undefined : errors.get(field));

  const input = (field: Field, autoComplete: string) => (
    <input
      type="password"
      name={field}
      autoComplete={autoComplete}
      maxLength={PASSWORD_MAX_LENGTH}
      value={values[field]}
      onChange={set(field)}
      data-testid={`password-${field}`}
    />
  );
  return (
    <Dialog
      open={open}
      title={t('account.password.title')}
      onClose={close}
      testId="password-dialog"
      actions={
        done ? (
          // Keyed: a fresh button (focused), not the form's Cancel made over mid-transition.
          <button key="done" type="button" className="btn btn--primary" onClick={close} autoFocus data-testid="password-done">
            {t('account.password.doneClose')}
          </button>
        ) : (
          <Fragment key="form">
            <button type="button" className="btn btn--ghost" onClick={close}>
              {t('common.cancel')}
            </button>
            <button type="submit" form={formId} className="btn btn--primary" disabled={busy} data-testid="password-submit">
              {busy ? t('account.password.saving') : t('account.password.submit')}
            </button>
          </Fragment>
        )
      }
    >
      {done ? (
        <div role="status" data-testid="password-changed">
          <Alert tone="success">
            {done.otherLoginsEnded > 0 ? t('account.password.doneOthers', { n: done.otherLoginsEnded }) : t('account.password.done')}
          </Alert>
        </div>
      ) : (
        <form id={formId} className="form" onSubmit={(e) => void submit(e)} noValidate>
          <p className="muted">{t('account.password.intro')}</p>
          {/* For password managers: which account this password belongs to. */}
          <input type="text" name="username" autoComplete="username" value={auth?.user.username ?? ''} readOnly hidden />
          <FormField label={t('account.password.current')} error={errorOf('currentPassword')}>
            {input('currentPassword', 'current-password')}
          </FormField>
          <FormField label={t('account.password.new')} error={errorOf('newPassword')} hint={t('account.password.hint', { min: PASSWORD_MIN_LENGTH })}>
            {input('newPassword', 'new-password')}
          </FormField>
          <FormField label={t('account.password.repeat')} error={errorOf('repeat')}>
            {input('repeat', 'new-password')}
          </FormField>
          {errors.message && !errors.get('currentPassword') && !errors.get('newPassword') && <Alert>{errors.message}</Alert>}
        </form>
      )}
    </Dialog>
  );
}

/** The form's own checks: a message key, or the policy's catalogue reason (shown as the server would). */
function check(values: Record<Field, string>, username: string): Partial<Record<Field, MessageKey | NewPasswordProblem>> {
  const out: Partial<Record<Field, MessageKey | NewPasswordProblem>> = {};
  if (values.currentPassword === '') out.currentPassword = 'field.currentPassword';
  const problem = values.newPassword === '' ? null : newPasswordProblem(values.newPassword, { username, currentPassword: values.currentPassword });
  if (values.newPassword === '') out.newPassword = 'field.newPassword';
  else if (problem) out.newPassword = problem;
  if (values.repeat === '') out.repeat = 'account.password.repeatRequired';
  else if (values.repeat !== values.newPassword) out.repeat = 'account.password.mismatch';
  return out;
}
