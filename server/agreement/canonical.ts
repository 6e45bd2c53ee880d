import { createHash } from 'node:crypto';

/**
 * Canonical form of a mediation agreement (人民调解协议书) revision.
 *
 * The revision hash binds the agreement's *content*, not its layout: text is NFC-normalised,
 * line endings become LF, horizontal whitespace (incl. U+3000 and NBSP) collapses to one
 * space, lines are trimmed and blank lines dropped (each line is a paragraph when rendered).
 * The renderer prints the normalised form, so what is hashed is what the parties see.
 */

export interface AgreementParty {
  /** 申请人 / 被申请人 (free text so a centre can use e.g. 第三人). */
  side: string;
  name: string;
}

export interface AgreementRevision {
  caseNumber: string;
  /** Normally 人民调解协议书. */
  title: string;
  parties: AgreementParty[];
  /** 纠纷主要事实、争议事项 */
  facts: string;
  /** 协议内容, one entry per clause; numbered 一、二、… when rendered (do not number them here). */
  clauses: string[];
  /** 履行方式和期限 */
  performance: string;
  /** 违约责任 */
  breach: string;
  /** The people's mediation committee, e.g. 某某区某某街道人民调解委员会. */
  organisation: string;
  /** 人民调解员 */
  mediator: string;
}

/** Bumped whenever the serialisation or the fixed template text of the rendered PDF changes. */
export const CANONICAL_FORMAT = 'cloud-mediation/agreement/v1';

// Every Unicode space separator plus tab/vertical tab/form feed, but not LF.
const HSPACE = /[\t\v\f\p{Zs}\u200B\uFEFF]+/gu;

/** Normalise one text field (see module comment). Idempotent. */
export function normaliseText(value: string): string {
  if (typeof value !== 'string') throw new TypeError('agreement text must be a string');
  const lines = value
    .normalize('NFC')
    .replace(/\r\n?|\u2028|\u2029|\u0085/g, '\n')
    .split('\n')
    .map((line) => line.replace(HSPACE, ' ').trim());
  return lines.filter((line) => line !== '').join('\n');
}

function required(field: string, value: string): string {
  const text = normaliseText(value);
  if (text === '') throw new TypeError(`agreement field "${field}" is empty`);
  return text;
}

/** The revision with every field normalised and checked; render this, hash this. */
export function normaliseRevision(rev: AgreementRevision): AgreementRevision {
  if (!Array.isArray(rev.parties) || rev.parties.length === 0) {
    throw new TypeError('agreement needs at least one party');
  }
  if (!Array.isArray(rev.clauses) || rev.clauses.length === 0) {
    throw new TypeError('agreement needs at least one clause');
  }
  return {
    caseNumber: required('caseNumber', rev.caseNumber),
    title: required('title', rev.title),
    parties: rev.parties.map((p, i) => ({
      side: required(`parties[${i}].side`, p.side),
      name: required(`parties[${i}].name`, p.name),
    })),
    facts: required('facts', rev.facts),
    clauses: rev.clauses.map((c, i) => required(`clauses[${i}]`, c)),
    performance: required('performance', rev.performance),
    breach: required('breach', rev.breach),
    organisation: required('organisation', rev.organisation),
    mediator: required('mediator', rev.mediator),
  };
}

/**
 * Deterministic serialisation: compact JSON with a fixed key order and a format tag.
 * Parties and clauses keep their order (order is meaningful in the document).
 */
export function canonicalText(rev: AgreementRevision): string {
  const n = normaliseRevision(rev);
  return JSON.stringify({
    format: CANONICAL_FORMAT,
    caseNumber: n.caseNumber,
    title: n.title,
    parties: n.parties.map((p) => ({ side: p.side, name: p.name })),
    facts: n.facts,
    clauses: n.clauses,
    performance: n.performance,
    breach: n.breach,
    organisation: n.organisation,
    mediator: n.mediator,
  });
}

/** SHA-256 (lower-case hex) of the UTF-8 canonical text. */
export function revisionHash(rev: AgreementRevision): string {
  return createHash('sha256').update(canonicalText(rev), 'utf8').digest('hex');
}

/** Short display form of a hex hash: first 16 hex digits in groups of 4, e.g. `3f2a 9c01 77be 0d45`. */
export function fingerprint(hash: string): string {
  if (!/^[0-9a-fA-F]{16,}$/.test(hash)) throw new TypeError('fingerprint expects a hex hash');
  return (hash.toLowerCase().slice(0, 16).match(/.{4}/g) ?? []).join(' ');
}

/** Crockford's base32: no I, L, O or U, so a code read aloud or copied by hand is not misread. */
const CHECK_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The short human check of a revision hash shown to parties and sent in the signing SMS: the first
 * 30 bits in Crockford base32, 6 characters (e.g. `K7P2QX`). With the revision number it lets a
 * party see at a glance that the text they sign is the one read out in the session; the full
 * hash stays on the certificate page and /verify.
 */
export function checkCode(hash: string): string {
  if (!/^[0-9a-fA-F]{8,}$/.test(hash)) throw new TypeError('checkCode expects a hex hash');
  const bits = parseInt(hash.slice(0, 8), 16) >>> 2;
  let out = '';
  for (let i = 5; i >= 0; i--) out += CHECK_ALPHABET[(bits >>> (i * 5)) & 31];
  return out;
}
