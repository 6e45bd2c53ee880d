import { randomBytes } from 'node:crypto';

/** Opaque random id (128 bits, base64url). Never derived from names, phones or case numbers. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
