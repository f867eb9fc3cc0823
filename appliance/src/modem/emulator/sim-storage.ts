/**
 * The emulated SIM's message storage ("SM", TS 27.005 §3.1 <mem1>/<mem2>/<mem3>): received
 * SMS-DELIVER PDUs and SMS-SUBMIT PDUs written with AT+CMGW, at indexes 1..capacity with their
 * status, as AT+CMGR / AT+CMGL / AT+CMGD / AT+CMSS see them.
 */

/**
 * PDU-mode message status (TS 27.005 §3.1 <stat>): 0 received unread, 1 received read, 2 stored
 * unsent, 3 stored sent.
 */
export type StoredStatus = 0 | 1 | 2 | 3;

/** The statuses each AT+CMGD <delflag> deletes (TS 27.005 §3.5.4). */
const DELETED_BY_FLAG: Readonly<Record<number, readonly StoredStatus[]>> = { 1: [1], 2: [1, 3], 3: [1, 2, 3], 4: [0, 1, 2, 3] };

/** One stored message. */
export interface StoredSms {
  readonly index: number;
  readonly pdu: string;
  /** TPDU length in octets (the `<length>` printed by +CMGR / +CMGL). */
  readonly length: number;
  status: StoredStatus;
}

/** A stored message as a command reads it (a copy). */
export type StoredSmsView = Readonly<StoredSms>;

/** The SIM's SMS slots. */
export class SimStorage {
  readonly #messages = new Map<number, StoredSms>();
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Store a PDU at the lowest free index (received unread unless told); undefined when the storage is full. */
  store(pdu: string, length: number, status: StoredStatus = 0): number | undefined {
    for (let index = 1; index <= this.capacity; index++) {
      if (!this.#messages.has(index)) {
        this.#messages.set(index, { index, pdu, length, status });
        return index;
      }
    }
    return undefined;
  }

  /** One message, without the side effect of a read. */
  get(index: number): StoredSmsView | undefined {
    const sms = this.#messages.get(index);
    return sms && { ...sms };
  }

  /** Read one message (AT+CMGR marks a received unread one read, TS 27.005 §3.4.3); the status before. */
  read(index: number): StoredSmsView | undefined {
    const sms = this.#messages.get(index);
    if (!sms) return undefined;
    const before = { ...sms };
    if (sms.status === 0) sms.status = 1;
    return before;
  }

  /** List messages of a status (4 = all, TS 27.005 §3.4.2); listed unread messages become read. */
  list(status: number): StoredSmsView[] {
    const out = [...this.#messages.values()]
      .filter((sms) => status === 4 || sms.status === status)
      .sort((a, b) => a.index - b.index)
      .map((sms) => ({ ...sms }));
    for (const { index } of out) {
      const sms = this.#messages.get(index)!;
      if (sms.status === 0) sms.status = 1;
    }
    return out;
  }

  /** A stored SMS-SUBMIT went out (AT+CMSS): stat 3 "STO SENT". */
  markSent(index: number): void {
    const sms = this.#messages.get(index);
    if (sms && (sms.status === 2 || sms.status === 3)) sms.status = 3;
  }

  /**
   * AT+CMGD=<index>[,<delflag>] (TS 27.005 §3.5.4): flag 0 deletes the index; 1 every received read
   * message; 2 those and every stored sent one; 3 those and every stored unsent one; 4 everything.
   * Unread received messages go only with flag 4 (or by index).
   */
  delete(index: number, flag = 0): void {
    if (flag === 0) {
      this.#messages.delete(index);
      return;
    }
    const doomed = DELETED_BY_FLAG[flag] ?? [];
    for (const sms of [...this.#messages.values()]) {
      if (doomed.includes(sms.status)) this.#messages.delete(sms.index);
    }
  }

  /** Indexes in use, ascending. */
  indexes(): number[] {
    return [...this.#messages.keys()].sort((a, b) => a - b);
  }

  get used(): number {
    return this.#messages.size;
  }
}
