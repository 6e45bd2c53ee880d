import type { Db } from '../../db/client.ts';
import { newId } from '../../ids.ts';
import type { Clock } from '../../clock.ts';

/** Pluggable SMS gateway. A real one (e.g. a provider's HTTP API) implements the same interface. */
export interface SmsSender {
  send(message: { phone: string; text: string; purpose: string }): Promise<void>;
}

/** Development / test sender: stores every message in the SmsOutbox table instead of sending it. */
export class DevOutboxSmsSender implements SmsSender {
  readonly #db: Db;
  readonly #clock: Clock;
  constructor(deps: { db: Db; clock: Clock }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
  }
  async send(message: { phone: string; text: string; purpose: string }): Promise<void> {
    await this.#db.smsOutbox.create({ data: { id: newId(), ...message, createdAt: this.#clock.now() } });
  }
}
