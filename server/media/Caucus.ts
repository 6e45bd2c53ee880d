import { newId } from '../ids.ts';

/**
 * A private caucus (背对背调解): the mediators plus some participants, isolated from everyone
 * else. Membership is by identity, so a member who reconnects is still in it.
 */
export class Caucus {
  readonly id = newId();
  readonly startedAt = Date.now();
  readonly startedBy: string;
  readonly #identities: Set<string>;

  constructor(startedBy: string, identities: Iterable<string>) {
    this.startedBy = startedBy;
    this.#identities = new Set(identities);
  }

  has(identity: string): boolean {
    return this.#identities.has(identity);
  }

  remove(identity: string): void {
    this.#identities.delete(identity);
  }

  get identities(): string[] {
    return [...this.#identities];
  }
}
