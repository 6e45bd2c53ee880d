import { zonedParts } from '../caseloop/zonedTime.ts';

/** Chinese numerals and dates as printed on the agreement (times are Beijing time, UTC+8). */

const DIGITS = ['〇', '一', '二', '三', '四', '五', '六', '七', '八', '九'] as const;
const digit = (d: number): string => DIGITS[d]!;

/** 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (1..9999); clause numbering 一、二、… */
export function chineseNumeral(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 9999) throw new RangeError(`cannot number ${n}`);
  if (n < 10) return digit(n);
  if (n < 20) return '十' + (n % 10 ? digit(n % 10) : '');
  const units = ['', '十', '百', '千'];
  const ds = String(n).split('').map(Number);
  let out = '';
  let zero = false;
  ds.forEach((d, i) => {
    const unit = units[ds.length - 1 - i]!;
    if (d === 0) {
      zero = true;
      return;
    }
    if (zero && out) out += '零';
    zero = false;
    out += digit(d) + unit;
  });
  return out;
}

const TZ = 'Asia/Shanghai';

function parts(date: Date): Record<string, string> {
  return zonedParts(date, TZ);
}

/** 2026-11-26 16:48:05 (Beijing time). */
export function formatDateTime(date: Date): string {
  const p = parts(date);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** 2026年11月26日 16:48 */
export function formatChineseDateTime(date: Date): string {
  const p = parts(date);
  return `${p.year}年${Number(p.month)}月${Number(p.day)}日 ${p.hour}:${p.minute}`;
}

/** 二〇二六年十一月二十六日, the style used for the date under an official seal. */
export function chineseOfficialDate(date: Date): string {
  const p = parts(date);
  const year = (p.year ?? '')
    .split('')
    .map((d) => digit(Number(d)))
    .join('');
  return `${year}年${chineseNumeral(Number(p.month))}月${chineseNumeral(Number(p.day))}日`;
}
