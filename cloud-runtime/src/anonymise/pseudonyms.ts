import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const DAY_MS = 86_400_000;

/** One patient's pseudonym: a new id, a label, and the shift applied to every instant of theirs. */
export interface PatientPseudonym {
  readonly id: string;
  readonly label: string;
  /** Whole days back (30–365), so time of day and weekday patterns stay what they were. */
  readonly shiftMs: number;
}

/**
 * The random mapping from production identities to pre-production ones. It lives in this
 * process's memory only, is never written anywhere, and is dropped when the copy ends: nothing
 * (no key, no table) leads from a pseudonym back to the person. Replacement values are drawn at
 * random, not derived from the originals.
 */
export class Pseudonyms {
  readonly #patients = new Map<string, PatientPseudonym>();
  readonly #accounts = new Map<string, { id: string; n: number }>();
  readonly #boxes = new Map<string, string>();
  readonly #bracelets = new Map<string, string>();
  readonly #contacts = new Map<string, Map<string, string>>();
  readonly #rows = new Map<string, Map<string, string>>();
  /** One shift for the instants tied to no patient (accounts, boxes). */
  readonly globalShiftMs = -randomInt(30, 366) * DAY_MS;

  patient(originalId: string): PatientPseudonym {
    let p = this.#patients.get(originalId);
    if (!p) {
      const n = this.#patients.size + 1;
      p = { id: randomUUID(), label: `Patient ${String(n).padStart(4, '0')}`, shiftMs: -randomInt(30, 366) * DAY_MS };
      this.#patients.set(originalId, p);
    }
    return p;
  }

  /** The pseudonym of a patient already copied, or undefined (a row of a patient left out). */
  knownPatient(originalId: string | null): PatientPseudonym | undefined {
    return originalId === null ? undefined : this.#patients.get(originalId);
  }

  account(originalId: string): { id: string; n: number } {
    let a = this.#accounts.get(originalId);
    if (!a) this.#accounts.set(originalId, (a = { id: randomUUID(), n: this.#accounts.size + 1 }));
    return a;
  }

  knownAccount(originalId: string | null): { id: string; n: number } | undefined {
    return originalId === null ? undefined : this.#accounts.get(originalId);
  }

  box(originalId: string): string {
    let b = this.#boxes.get(originalId);
    if (!b) this.#boxes.set(originalId, (b = `VB-ANON-${randomBytes(5).toString('hex').toUpperCase()}`));
    return b;
  }

  knownBox(originalId: string | null): string | undefined {
    return originalId === null ? undefined : this.#boxes.get(originalId);
  }

  bracelet(originalId: string): string {
    let b = this.#bracelets.get(originalId);
    if (!b) this.#bracelets.set(originalId, (b = `BR-ANON-${randomBytes(5).toString('hex').toUpperCase()}`));
    return b;
  }

  knownBracelet(originalId: string): string | undefined {
    return this.#bracelets.get(originalId);
  }

  /** A new identifier for the row `originalId` of `kind` (a question, a response…), drawn once. */
  row(kind: string, originalId: string, make: () => string = randomUUID): string {
    let ids = this.#rows.get(kind);
    if (!ids) this.#rows.set(kind, (ids = new Map()));
    let id = ids.get(originalId);
    if (!id) ids.set(originalId, (id = make()));
    return id;
  }

  /** The new identifier of a row already copied, or undefined (a row left out). */
  knownRow(kind: string, originalId: string | null): string | undefined {
    return originalId === null ? undefined : this.#rows.get(kind)?.get(originalId);
  }

  /** "Contact N" for a contact's name within one patient's circle (the same person keeps one label). */
  contact(patientId: string, name: string): string {
    let circle = this.#contacts.get(patientId);
    if (!circle) this.#contacts.set(patientId, (circle = new Map()));
    let label = circle.get(name);
    if (!label) circle.set(name, (label = `Contact ${circle.size + 1}`));
    return label;
  }

  /**
   * A phone number in ARCEP's range reserved for fiction (06 39 98 00 00 – 06 39 98 99 99): valid
   * E.164, never anyone's line.
   */
  static fictionPhone(n: number): string {
    return `+3363998${String(n % 10_000).padStart(4, '0')}`;
  }
}

/** A calendar day (`YYYY-MM-DD`, as `date::text` gives it) moved by `shiftMs` (whole days); null stays null. */
export function shiftedDay(day: string | null, shiftMs: number): string | null {
  if (day === null) return null;
  return new Date(Date.parse(`${day}T00:00:00Z`) + shiftMs).toISOString().slice(0, 10);
}

/** `at` (a Date, epoch ms or null) moved by `shiftMs`, as an ISO 8601 instant for COPY (null stays null). */
export function shifted(at: Date | number | null, shiftMs: number): string | null {
  if (at === null) return null;
  return new Date((typeof at === 'number' ? at : at.getTime()) + shiftMs).toISOString();
}
