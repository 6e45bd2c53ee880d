import { existsSync } from 'node:fs';

/**
 * The CJK fonts the agreement PDF embeds (PDFKit subsets them). Found at run time among the
 * Debian package paths; a serif (宋体-like) face is preferred for an official document.
 */
export interface FontFace {
  path: string;
  /** Face name inside a .ttc collection (PostScript name); undefined for a single-face file. */
  family: string | undefined;
}

export interface CjkFonts {
  regular: FontFace;
  bold: FontFace;
}

interface Candidate {
  regular: FontFace;
  bold?: FontFace;
}

const NOTO = '/usr/share/fonts/opentype/noto';

export const CJK_FONT_CANDIDATES: readonly Candidate[] = [
  {
    regular: { path: `${NOTO}/NotoSerifCJK-Regular.ttc`, family: 'NotoSerifCJKsc-Regular' },
    bold: { path: `${NOTO}/NotoSerifCJK-Bold.ttc`, family: 'NotoSerifCJKsc-Bold' },
  },
  {
    regular: { path: `${NOTO}/NotoSansCJK-Regular.ttc`, family: 'NotoSansCJKsc-Regular' },
    bold: { path: `${NOTO}/NotoSansCJK-Bold.ttc`, family: 'NotoSansCJKsc-Bold' },
  },
  {
    regular: { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', family: 'WenQuanYiMicroHei' },
  },
  {
    regular: { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', family: 'WenQuanYiZenHei' },
  },
];

export class MissingCjkFontError extends Error {
  constructor(tried: string[]) {
    super(
      'No CJK font found for the agreement PDF. Install the Debian package fonts-noto-cjk ' +
        '(preferred) or fonts-wqy-microhei, or set AGREEMENT_FONT_PATH. Tried: ' +
        tried.join(', '),
    );
    this.name = 'MissingCjkFontError';
  }
}

/** A configured font (config.ts: AGREEMENT_FONT_PATH, AGREEMENT_FONT_FACE for a face of a .ttc). */
export interface FontOverride {
  path: string;
  face: string | undefined;
}

/** Picks the first installed candidate; a configured font overrides the search and is used for both weights. */
export function findCjkFonts(override?: FontOverride): CjkFonts {
  if (override) {
    if (!existsSync(override.path)) throw new MissingCjkFontError([override.path]);
    const face: FontFace = { path: override.path, family: override.face || undefined };
    return { regular: face, bold: face };
  }
  for (const c of CJK_FONT_CANDIDATES) {
    if (!existsSync(c.regular.path)) continue;
    const bold = c.bold && existsSync(c.bold.path) ? c.bold : c.regular;
    return { regular: c.regular, bold };
  }
  throw new MissingCjkFontError(CJK_FONT_CANDIDATES.map((c) => c.regular.path));
}
