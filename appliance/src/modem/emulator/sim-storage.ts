/**
 * The emulated SIM's message storage ("SM", TS 27.005 §3.1 <mem1>): received SMS-DELIVER PDUs at
 * indexes 1..capacity with their status, as AT+CMGR / AT+CMGL / AT+CMGD see them.
 */

/** PDU-mode message status (TS 27.005 §3.1 <stat>): 0 received unread, 1 received read. */
export type StoredStatus = 0 | 1;

/** One stored message. */
export interface StoredSms {
  readonly index: number;
  readonly pdu: string;
  /** TPDU length in octets (the `<length>` printed by +CMGR / +CMGL). */
  readonly length: number;
  status: StoredStatus;
}

/** The SIM's SMS slots. */
export class SimStorage {
  readonly #messages = new Map<number, StoredSms>();
  readonly capacity: number;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Store a PDU at the lowest free index; undefined when the storage is full. */
  store(pdu: string, length: number): number | undefined {
    for (let index = 1; index <= this.capacity; index++) {
      if (!this.#messages.has(index)) {
        this.#messages.set(index, { index, pdu, length, status: 0 });
        return index;
      }
    }
    return undefined;
  }

  /** Read one message (AT+CMGR marks it read, TS 27.005 §3.4.3). */
  read(index: number): { status: StoredStatus; pdu: string; length: number } | undefined {
    const sms = this.#messages.get(index);
    if (!sms) return undefined;
    const status = sms.status;
    sms.status = 1;
    return { status, pdu: sms.pdu, length: sms.length };
  }

  /** List messages of a status (4 = all, TS 27.005 §4.1); listed unread messages become read. */
  list(status: number): { index: number; status: StoredStatus; pdu: string; length: number }[] {
    const out = [...this.#messages.values()]
      .filter((sms) => status === 4 || sms.status === status)
      .sort((a, b) => a.index - b.index)
      .map((sms) => ({ index: sms.index, status: sms.status, pdu: sms.pdu, length: sms.length }));
    for (const { index } of out) this.#messages.get(index)!.status = 1;
    return out;
  }

  /**
   * AT+CMGD=<index>[,<delflag>] (TS 27.005 §3.5.4): flag 0 deletes the index; 1 every read message;
   * 2 and 3 the same here (no sent or unsent messages are stored); 4 everything.
   */
  delete(index: number, flag = 0): void {
    if (flag === 0) {
      this.#messages.delete(index);
      return;
    }
    for (const sms of [...this.#messages.values()]) {
      if (flag === 4 || sms.status === 1) this.#messages.delete(sms.index);
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
