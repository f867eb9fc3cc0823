/**
 * Bookkeeping shared by every GPIO adapter, so that they agree on the port's rules: which line
 * numbers exist, one claim per line, nothing after close, and which changes reach listeners.
 */
import { gpioErrors } from './errors.ts';
import type { ChangeListener, Edge, Level } from './port.ts';

/** Highest BCM number: the BCM2835 family has 54 lines (the 40-pin header exposes 2 to 27). */
export const MAX_BCM_LINE = 53;

/** Throws BOX_GPIO_LINE_INVALID unless `line` is a BCM line number. */
export function assertBcmLine(line: number): void {
  if (!Number.isInteger(line) || line < 0 || line > MAX_BCM_LINE) {
    throw gpioErrors.create('BOX_GPIO_LINE_INVALID', { message: `${String(line)} is not a GPIO line number (BCM numbering, 0 to ${MAX_BCM_LINE})`, details: { line } });
  }
}

/** Which lines a port holds, and whether it is closed. */
export class LineRegistry {
  readonly #claims = new Map<number, 'input' | 'output'>();
  #closed = false;

  get closed(): boolean {
    return this.#closed;
  }

  /** Record a claim; throws BOX_GPIO_CLOSED, BOX_GPIO_LINE_INVALID or BOX_GPIO_LINE_BUSY. */
  claim(line: number, direction: 'input' | 'output'): void {
    this.assertOpen();
    assertBcmLine(line);
    const held = this.#claims.get(line);
    if (held !== undefined) {
      throw gpioErrors.create('BOX_GPIO_LINE_BUSY', { message: `GPIO line ${line} is already claimed as an ${held}`, details: { line, claimedAs: held } });
    }
    this.#claims.set(line, direction);
  }

  /** Forget a claim whose line could not be set up after all. */
  release(line: number): void {
    this.#claims.delete(line);
  }

  /** How `line` is claimed, if it is. */
  directionOf(line: number): 'input' | 'output' | undefined {
    return this.#claims.get(line);
  }

  /** Throws BOX_GPIO_CLOSED once the port is closed. */
  assertOpen(): void {
    if (this.#closed) throw gpioErrors.create('BOX_GPIO_CLOSED');
  }

  /** Mark the port closed; true the first time only (so close() is idempotent). */
  close(): boolean {
    if (this.#closed) return false;
    this.#closed = true;
    return true;
  }
}

/**
 * The `change` listeners of one input and the port's reporting rule: a settled value is reported
 * only when it differs from the last settled value (whether or not that one was reported) and
 * matches the line's edge. Adapters feed it every settled value, on every edge.
 */
export class InputEvents {
  readonly #edge: Edge;
  readonly #listeners = new Set<ChangeListener>();
  #last: Level;

  constructor(edge: Edge, initial: Level) {
    this.#edge = edge;
    this.#last = initial;
  }

  get size(): number {
    return this.#listeners.size;
  }

  add(listener: ChangeListener): void {
    this.#listeners.add(listener);
  }

  delete(listener: ChangeListener): void {
    this.#listeners.delete(listener);
  }

  clear(): void {
    this.#listeners.clear();
  }

  /** Take `value` as the line's current settled value without reporting it (start of a watch). */
  reset(value: Level): void {
    this.#last = value;
  }

  /** A settled value, from the adapter; reports it when the rule above says so. */
  settle(value: Level, at: number): void {
    if (value === this.#last) return;
    this.#last = value;
    const wanted = this.#edge === 'both' || (this.#edge === 'rising' && value === 1) || (this.#edge === 'falling' && value === 0);
    if (!wanted) return;
    // A copy: a listener may remove itself (or another) while being called.
    for (const listener of [...this.#listeners]) listener(value, at);
  }
}
