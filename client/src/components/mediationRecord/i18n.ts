import { useCallback } from 'react';
import { useT } from '../../i18n/index.ts';
import type { mediationRecordZhCN } from '../../i18n/mediationRecord.zh-CN.ts';

/* The mediation record's translate function: the main dictionary's `mrec.` namespace (client/src/i18n/mediationRecord.*.ts). */

export type RecordKey = keyof typeof mediationRecordZhCN;
export type RT = (key: RecordKey, params?: Record<string, string | number>) => string;

export function useRT(): RT {
  const t = useT();
  return useCallback<RT>((key, params) => t(`mrec.${key}`, params), [t]);
}
