import { useCallback } from 'react';
import type { PartySide } from '@protocol/roles.ts';
import { useT } from '../../i18n/index.ts';
import type { agreementZhCN } from '../../i18n/agreement.zh-CN.ts';

/* The agreement screens' translate function: the main dictionary's `agr.` namespace (client/src/i18n/agreement.*.ts). */

export type AgreementKey = keyof typeof agreementZhCN;
export type AT = (key: AgreementKey, params?: Record<string, string | number>) => string;

export function useAT(): AT {
  const t = useT();
  return useCallback<AT>((key, params) => t(`agr.${key}`, params), [t]);
}

/** 申请人 (U+3000) 张三 / Applicant Zhang San: a signer or commenter with their side (a code from the server). */
export function sideAndName(t: AT, side: PartySide | null, name: string): string {
  return side ? `${t(`side.${side}`)}${t('sep.gap')}${name}` : name;
}

export function formatTime(iso: string, lang: string): string {
  return new Date(iso).toLocaleString(lang === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}
