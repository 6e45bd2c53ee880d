/*
 * Masking of personal data for lists and public pages. Raw phone and ID numbers are stored in
 * Party only and never leave the server through the API.
 */

function maskMiddle(s: string, keepStart: number, keepEnd: number): string {
  const chars = [...s];
  if (chars.length <= keepStart + keepEnd) {
    // Too short to keep both ends: keep at most the last two characters.
    const keep = Math.min(2, Math.max(0, chars.length - 2));
    return '*'.repeat(chars.length - keep) + chars.slice(chars.length - keep).join('');
  }
  return chars.slice(0, keepStart).join('') + '*'.repeat(chars.length - keepStart - keepEnd) + chars.slice(chars.length - keepEnd).join('');
}

/** '13812345678' → '138****5678'; landlines keep the area-code prefix's first 3 and the last 4 digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/[\s-]/g, '');
  if (digits.length === 0) return '';
  return maskMiddle(digits, 3, 4);
}

/** 18-character resident ID: '110101199003071234' → '110***********1234'. */
export function maskIdNumber(idNumber: string): string {
  const s = idNumber.trim().toUpperCase();
  if (s.length === 0) return '';
  return maskMiddle(s, 3, 4);
}

/** Common two-character surnames (复姓); the whole surname is kept. */
const compoundSurnames = new Set([
  '欧阳',
  '司马',
  '上官',
  '诸葛',
  '东方',
  '皇甫',
  '尉迟',
  '公孙',
  '慕容',
  '长孙',
  '宇文',
  '司徒',
  '夏侯',
  '轩辕',
  '令狐',
  '钟离',
  '端木',
  '澹台',
  '公冶',
  '宗政',
  '濮阳',
  '淳于',
  '单于',
  '太叔',
  '申屠',
  '仲孙',
  '万俟',
  '闻人',
  '赫连',
  '独孤',
  '南宫',
  '西门',
  '百里',
  '呼延',
  '东郭',
  '第五',
  '司空',
  '拓跋',
  '左丘',
  '梁丘',
  '乐正',
  '公羊',
]);

/** Names on public pages: '张三' → '张*', '欧阳娜娜' → '欧阳**', '李' → '*'. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length === 0) return '';
  if (chars.length === 1) return '*';
  const keep = chars.length > 2 && compoundSurnames.has(chars.slice(0, 2).join('')) ? 2 : 1;
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - keep);
}
