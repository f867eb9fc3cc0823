import type { ConcatInfo } from './pdu.ts';

/**
 * Reassembles concatenated SMS parts (TS 23.040 §9.2.3.24.1) keyed by the other party, the
 * reference and the part count. Parts may arrive in any order and more than once. In memory only:
 * the oldest incomplete message is dropped past `maxPending`, so a part that never comes cannot
 * grow it without bound.
 */
export class ConcatAssembler<P> {
  readonly #pending = new Map<string, Map<number, P>>();
  readonly #maxPending: number;

  constructor(maxPending = 32) {
    this.#maxPending = maxPending;
  }

  /**
   * Add one part. Returns every part in sequence order when the message is complete (at once for a
   * single-part message), else undefined.
   */
  add(party: string, concat: ConcatInfo | undefined, part: P): P[] | undefined {
    if (!concat || concat.total <= 1 || concat.sequence < 1 || concat.sequence > concat.total) return [part];
    const key = `${party}|${concat.reference}|${concat.total}`;
    let parts = this.#pending.get(key);
    if (!parts) {
      parts = new Map();
      this.#pending.set(key, parts);
      if (this.#pending.size > this.#maxPending) this.#pending.delete(this.#pending.keys().next().value!);
    }
    parts.set(concat.sequence, part);
    if (parts.size < concat.total) return undefined;
    this.#pending.delete(key);
    return [...parts.entries()].sort(([a], [b]) => a - b).map(([, p]) => p);
  }

  /** Incomplete messages held. */
  get pending(): number {
    return this.#pending.size;
  }
}
