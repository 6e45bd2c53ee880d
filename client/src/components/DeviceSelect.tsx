import type { DeviceOption } from '../services/LocalMedia.ts';
import { useT } from '../i18n/index.ts';
import { FormField } from './FormField.tsx';

interface Props {
  kind: 'camera' | 'microphone';
  devices: DeviceOption[];
  value: string | null;
  onChange: (deviceId: string) => void;
  disabled?: boolean;
}

export function DeviceSelect({ kind, devices, value, onChange, disabled }: Props) {
  const t = useT();
  const deviceName = t(kind === 'camera' ? 'prejoin.camera' : 'prejoin.microphone');
  if (devices.length === 0) return null;
  return (
    <FormField label={deviceName}>
      <select
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        data-testid={kind === 'camera' ? 'camera-select' : 'microphone-select'}
      >
        {value === null && <option value="">{deviceName}</option>}
        {devices.map((d, i) => (
          <option key={d.deviceId} value={d.deviceId}>
            {d.label || t('prejoin.deviceN', { device: deviceName, n: i + 1 })}
          </option>
        ))}
      </select>
    </FormField>
  );
}
