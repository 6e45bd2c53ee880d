import { disputeTypes, type DisputeType } from '@protocol/caseLoop.ts';
import { useRef, useState, type FormEvent } from 'react';
import { createCaseRequest, type CreateCaseRequest } from '@protocol/cases.ts';
import { partySides, type PartySide } from '@protocol/roles.ts';
import type { CaseDetail } from '@protocol/cases.ts';
import { useT } from '../i18n/index.ts';
import { disputeTypeLabel, errorText, sideLabel } from '../i18n/labels.ts';
import { api, ApiError } from '../services/api.ts';
import { zodDetails } from '@protocol/errors.ts';
import { useFieldErrors } from '../hooks/useFieldErrors.ts';
import { FormField } from './FormField.tsx';
import { Alert } from './Feedback.tsx';
import { PlusIcon } from './Icons.tsx';
import { placeFields, type PlaceField } from './caseloop/labels.ts';
import { gridApi } from '../services/gridApi.ts';
import { useStore } from '../hooks/useStore.ts';
import { staffAuth } from '../services/session.ts';
import { useAsync } from '../hooks/useAsync.ts';
import { GridPointPicker, type PickedPoint } from './gridmap/GridPointPicker.tsx';

interface PartyDraft {
  key: number;
  side: PartySide;
  name: string;
  phone: string;
}

interface Props {
  onCreated: (created: CaseDetail) => void;
  onCancel: () => void;
  /** A grid code picked on the grid map. */
  initialGrid?: string;
}

let nextKey = 1;

/** `parties.<i>.x` paths refer to the submitted list; point them back at the form's rows. */
function remapPartyPaths(details: Record<string, string>, rowOfSubmitted: number[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(details)) {
    const match = /^parties\.(\d+)(\..*)?$/.exec(path);
    const row = match ? rowOfSubmitted[Number(match[1])] : undefined;
    out[match && row !== undefined ? `parties.${row}${match[2] ?? ''}` : path] = message;
  }
  return out;
}

const newParty = (side: PartySide): PartyDraft => ({ key: nextKey++, side, name: '', phone: '' });

export function NewCaseForm({ onCreated, onCancel, initialGrid = '' }: Props) {
  const t = useT();
  const errors = useFieldErrors();
  const formRef = useRef<HTMLFormElement>(null);
  const [disputeType, setDisputeType] = useState<DisputeType | ''>('');
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [place, setPlace] = useState<Record<PlaceField, string>>({ district: '', town: '', community: '', grid: initialGrid });
  const role = useStore(staffAuth)?.user.role;
  // Officials have no grid map (the role table); the others get the imported codes to pick from.
  const grids = useAsync(() => (role === undefined || role === 'official' ? Promise.resolve(null) : gridApi.map().catch(() => null)), [role]);
  const gridChoices = (grids.data?.grids.features ?? []).map((f) => f.properties);
  const [mapOpen, setMapOpen] = useState(false);
  const [picked, setPicked] = useState<PickedPoint | null>(null);
  const [parties, setParties] = useState<PartyDraft[]>(() => [newParty('applicant'), newParty('respondent')]);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);

  const updateParty = (key: number, patch: Partial<PartyDraft>, index: number) => {
    setParties((list) => list.map((p) => (p.key === key ? { ...p, ...patch } : p)));
    for (const field of Object.keys(patch)) errors.clear(`parties.${index}.${field}`);
  };

  const focusFirstError = () => {
    window.requestAnimationFrame(() => {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
    });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(null);
    // Rows left completely blank are ignored (the form starts with an applicant and a respondent row).
    const filled = parties.map((p, index) => ({ p, index })).filter(({ p }) => p.name.trim() !== '' || p.phone.trim() !== '');
    const rows = filled.length > 0 ? filled : parties.slice(0, 1).map((p, index) => ({ p, index }));
    const toRowPaths = (details: Record<string, string>) =>
      remapPartyPaths(
        details,
        rows.map((r) => r.index),
      );
    const body: CreateCaseRequest = {
      disputeType: disputeType as DisputeType,
      title,
      description,
      // Blank location fields are left out rather than stored as empty text.
      ...Object.fromEntries(placeFields.filter((f) => place[f].trim() !== '').map((f) => [f, place[f]])),
      // A point picked on the map: the server places the case in the grid that holds it.
      ...(picked ? { location: picked.point } : {}),
      parties: rows.map(({ p: { side, name, phone } }) => ({ side, name, phone })),
    };
    const check = createCaseRequest.safeParse(body);
    if (!check.success) {
      errors.fromDetails(toRowPaths(zodDetails(check.error)));
      setFormError(t('newCase.fixErrors'));
      focusFirstError();
      return;
    }
    errors.clear();
    setBusy(true);
    try {
      const created = await api.createCase(body);
      onCreated(created);
    } catch (e) {
      setBusy(false);
      if (e instanceof ApiError && e.details) {
        errors.fromDetails(toRowPaths(e.details));
        setFormError(t('newCase.fixErrors'));
        focusFirstError();
      } else {
        setFormError(errorText(t, e));
      }
    }
  };

  return (
    <form ref={formRef} className="form new-case" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="new-case-title">
      <div className="form-grid">
        <FormField label={t('newCase.disputeType')} error={errors.get('disputeType')}>
          <select
            name="disputeType"
            value={disputeType}
            onChange={(e) => {
              setDisputeType(e.target.value as DisputeType);
              errors.clear('disputeType');
            }}
          >
            <option value="" disabled>
              {t('newCase.chooseType')}
            </option>
            {disputeTypes.map((type) => (
              <option key={type} value={type}>
                {disputeTypeLabel(t, type)}
              </option>
            ))}
          </select>
        </FormField>
        <FormField label={t('newCase.caseTitle')} error={errors.get('title')} className="form-grid__wide">
          <input
            name="title"
            value={title}
            maxLength={100}
            placeholder={t('newCase.caseTitlePlaceholder')}
            onChange={(e) => {
              setTitle(e.target.value);
              errors.clear('title');
            }}
          />
        </FormField>
      </div>

      <FormField label={t('newCase.description')} error={errors.get('description')}>
        <textarea
          name="description"
          rows={4}
          value={description}
          maxLength={5000}
          placeholder={t('newCase.descriptionPlaceholder')}
          onChange={(e) => {
            setDescription(e.target.value);
            errors.clear('description');
          }}
        />
      </FormField>

      <fieldset className="place-fieldset">
        <legend>{t('newCase.location')}</legend>
        <div className="form-grid">
          {placeFields.map((f) => (
            <FormField key={f} label={t(`newCase.${f}`)} optional={t('common.optional')} error={errors.get(f)}>
              <input
                name={f}
                value={place[f]}
                maxLength={50}
                autoComplete="off"
                data-testid={`new-case-${f}`}
                list={f === 'grid' && gridChoices.length > 0 ? 'new-case-grids' : undefined}
                onChange={(e) => {
                  setPlace((p) => ({ ...p, [f]: e.target.value }));
                  errors.clear(f);
                  // A grid typed or chosen by code replaces a point picked on the map.
                  if (f === 'grid') setPicked(null);
                }}
              />
            </FormField>
          ))}
        </div>
        {gridChoices.length > 0 && (
          // The imported grids by code (server/grids): a known code files the case on the grid map.
          <datalist id="new-case-grids">
            {gridChoices.map((g) => (
              <option key={g.code} value={g.code}>
                {[g.community, g.name].filter(Boolean).join(' · ')}
              </option>
            ))}
          </datalist>
        )}
        {grids.data && gridChoices.length > 0 && (
          <>
            <button
              type="button"
              className="btn btn--ghost btn--sm grid-picker__toggle"
              aria-expanded={mapOpen}
              onClick={() => setMapOpen((open) => !open)}
              data-testid="new-case-map-toggle"
            >
              {t(mapOpen ? 'grid.pick.close' : 'grid.pick.open')}
            </button>
            {(mapOpen || picked !== null) && (
              <GridPointPicker
                mapShown={mapOpen}
                data={grids.data}
                picked={picked}
                onPick={(p) => {
                  setPicked(p);
                  if (p?.grid) {
                    const code = p.grid.code;
                    setPlace((old) => ({ ...old, grid: code }));
                    errors.clear('grid');
                  }
                }}
              />
            )}
          </>
        )}
      </fieldset>

      <fieldset className="parties-fieldset">
        <legend>{t('newCase.parties')}</legend>
        {errors.get('parties') && <p className="field__error">{errors.get('parties')}</p>}
        {parties.map((party, index) => (
          <div key={party.key} className="party-row" data-testid="party-row">
            <div className="party-row__head">
              <span className="party-row__number">{t('newCase.party', { n: index + 1 })}</span>
              {parties.length > 1 && (
                <button
                  type="button"
                  className="btn btn--text btn--sm"
                  onClick={() => {
                    setParties((list) => list.filter((p) => p.key !== party.key));
                    errors.clear();
                  }}
                >
                  {t('newCase.removeParty')}
                </button>
              )}
            </div>
            <div className="party-row__fields">
              <FormField label={t('newCase.partySide')} error={errors.get(`parties.${index}.side`)}>
                <select
                  name={`parties.${index}.side`}
                  value={party.side}
                  onChange={(e) => updateParty(party.key, { side: e.target.value as PartySide }, index)}
                >
                  {partySides.map((side) => (
                    <option key={side} value={side}>
                      {sideLabel(t, side)}
                    </option>
                  ))}
                </select>
              </FormField>
              <FormField label={t('newCase.partyName')} error={errors.get(`parties.${index}.name`)}>
                <input
                  name={`parties.${index}.name`}
                  value={party.name}
                  maxLength={50}
                  autoComplete="off"
                  onChange={(e) => updateParty(party.key, { name: e.target.value }, index)}
                />
              </FormField>
              <FormField label={t('newCase.partyPhone')} error={errors.get(`parties.${index}.phone`)}>
                <input
                  name={`parties.${index}.phone`}
                  type="tel"
                  inputMode="tel"
                  autoComplete="off"
                  value={party.phone}
                  placeholder={t('newCase.partyPhonePlaceholder')}
                  onChange={(e) => updateParty(party.key, { phone: e.target.value }, index)}
                />
              </FormField>
            </div>
          </div>
        ))}
        {parties.length < 20 && (
          <button
            type="button"
            className="btn btn--ghost btn--sm"
            onClick={() => setParties((list) => [...list, newParty(list.length === 0 ? 'applicant' : 'respondent')])}
          >
            <PlusIcon size={18} />
            {t('newCase.addParty')}
          </button>
        )}
      </fieldset>

      {formError && <Alert>{formError}</Alert>}
      <div className="form-actions">
        <button type="button" className="btn btn--ghost" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="btn btn--primary" disabled={busy}>
          {busy ? t('newCase.submitting') : t('newCase.submit')}
        </button>
      </div>
    </form>
  );
}
