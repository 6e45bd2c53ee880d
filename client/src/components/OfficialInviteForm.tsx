import { useState, type FormEvent } from 'react';
import { createInvitationRequest, type InvitationInfo } from '@protocol/api.ts';
import { useT } from '../i18n/index.ts';
import { errorText } from '../i18n/labels.ts';
import { api, ApiError } from '../services/api.ts';
import { useFieldErrors } from '../hooks/useFieldErrors.ts';
import { Alert } from './Feedback.tsx';
import { FormField } from './FormField.tsx';
import { InvitationLink } from './InvitationLink.tsx';

/** "邀请部门人员": an official's name and department → a link. */
export function OfficialInviteForm({ sessionId, onCreated }: { sessionId: string; onCreated: (i: InvitationInfo) => void }) {
  const t = useT();
  const errors = useFieldErrors();
  const [displayName, setDisplayName] = useState('');
  const [department, setDepartment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<InvitationInfo | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    const body = { role: 'official' as const, displayName, department };
    const check = createInvitationRequest.safeParse(body);
    if (!check.success || department.trim() === '') {
      if (!check.success) errors.fromZod(check.error);
      else errors.fromDetails({ department: 'required' });
      return;
    }
    errors.clear();
    setBusy(true);
    try {
      const invitation = await api.createInvitation(sessionId, { ...body, displayName: displayName.trim(), department: department.trim() });
      setCreated(invitation);
      onCreated(invitation);
      setDisplayName('');
      setDepartment('');
    } catch (e) {
      if (e instanceof ApiError && e.details) errors.fromDetails(e.details, e.fields);
      else setError(errorText(t, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="official-invite">
      <form className="official-invite__form" onSubmit={(e) => void submit(e)} noValidate data-testid="official-invite-form">
        <FormField label={t('invite.official.name')} error={errors.get('displayName')}>
          <input
            name="displayName"
            value={displayName}
            maxLength={50}
            placeholder={t('invite.official.namePlaceholder')}
            onChange={(e) => {
              setDisplayName(e.target.value);
              errors.clear('displayName');
            }}
          />
        </FormField>
        <FormField label={t('invite.official.department')} error={errors.get('department')}>
          <input
            name="department"
            value={department}
            maxLength={50}
            placeholder={t('invite.official.departmentPlaceholder')}
            onChange={(e) => {
              setDepartment(e.target.value);
              errors.clear('department');
            }}
          />
        </FormField>
        <button type="submit" className="btn btn--secondary official-invite__submit" disabled={busy}>
          {busy ? t('invite.generating') : t('invite.official.submit')}
        </button>
      </form>
      {error && <Alert>{error}</Alert>}
      {created && (
        <div className="official-invite__result">
          <p className="official-invite__for">
            <strong>{created.displayName}</strong>
            {created.department && <span className="muted"> · {created.department}</span>}
          </p>
          <InvitationLink invitation={created} />
        </div>
      )}
    </div>
  );
}
