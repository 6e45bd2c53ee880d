import { useCallback } from 'react';
import { useT } from '../../i18n/index.ts';
import type { judicialZhCN } from '../../i18n/judicial.zh-CN.ts';

/* Judicial confirmation's translate function: the main dictionary's `jud.` namespace (client/src/i18n/judicial.*.ts). */

export type JudicialKey = keyof typeof judicialZhCN;
export type JT = (key: JudicialKey, params?: Record<string, string | number>) => string;

export function useJT(): JT {
  const t = useT();
  return useCallback<JT>((key, params) => t(`jud.${key}`, params), [t]);
}
