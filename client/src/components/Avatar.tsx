const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** Two characters to stand for a person: the given name for Chinese names, initials otherwise. */
export function initialsOf(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  if (CJK.test(trimmed)) {
    const chars = [...trimmed.replace(/\s+/g, '')];
    return chars.length <= 2 ? chars.join('') : chars.slice(-2).join('');
  }
  const words = trimmed.split(/\s+/).filter(Boolean);
  return words
    .slice(0, 2)
    .map((w) => [...w][0]!.toUpperCase())
    .join('');
}

/** A stable soft colour per name, from a calm palette. */
const palette = ['#2f7d8c', '#3d6fa8', '#6a5fa8', '#8a6a3d', '#3f8a63', '#a3545b', '#4f6b80'];
export function colourOf(name: string): string {
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) >>> 0;
  return palette[hash % palette.length]!;
}

export function Avatar({ name, size = 'lg' }: { name: string; size?: 'md' | 'lg' }) {
  return (
    <span className={`avatar avatar--${size}`} style={{ backgroundColor: colourOf(name) }} aria-hidden="true">
      {initialsOf(name)}
    </span>
  );
}
