/**
 * The GSM modem port (style habit 1): what the safety core needs from a modem, whatever is behind
 * it. `SerialModem` implements it over an AT command line (a real modem, a pty, or the built-in
 * emulator through its serialport binding).
 */

/** What a modem returns once the network accepted an SMS. */
export interface SmsSendResult {
  /** One `+CMGS` message reference (TP-MR, 0..255) per PDU part, in part order (TS 27.005 §3.5.1). */
  readonly references: readonly number[];
}

/** Where `storeSms` wrote a message: one modem storage index per PDU part, in part order. */
export interface SmsStoreResult {
  /** `+CMGW` indexes (TS 27.005 §3.5.3), valid until `deleteStored`; a freed index is reused. */
  readonly indexes: readonly number[];
}

/** What the modem returns once the network accepted one stored part. */
export interface StoredSendResult {
  /** The `+CMSS` message reference (TP-MR, 0..255, TS 27.005 §3.5.2). */
  readonly reference: number;
}

/**
 * What the modem's memory says of a stored part (TS 27.005 §3.1 <stat>): `unsent` (2 "STO UNSENT"),
 * `sent` (3 "STO SENT": the network accepted it), `missing` (an empty index, or one that now holds
 * a received SMS).
 */
export type StoredSmsStatus = 'unsent' | 'sent' | 'missing';

/** An SMS received by the modem, reassembled when it came in several parts. */
export interface IncomingSms {
  /** Sender: E.164 (`+33639980001`), a national number, or an alphanumeric sender name. */
  readonly from: string;
  readonly text: string;
  /**
   * Service-centre time stamp (TS 23.040 §9.2.3.11), epoch ms: the network's clock, not the box's —
   * except when that time stamp is not a valid date (bad BCD digits, a field out of range): then the
   * box's clock when it decoded the message.
   */
  readonly receivedAt: number;
  /** SIM storage index of the (first) part; the message is deleted from the SIM after the event. */
  readonly storageIndex: number;
}

/** A snapshot of the modem's state, for the heartbeat and the technician's self-test. */
export interface ModemHealth {
  readonly sim: 'ready' | 'missing' | 'pin_required' | 'unknown';
  /** Registered on the home network or roaming (AT+CREG stat 1 or 5, TS 27.007 §7.2). */
  readonly registered: boolean;
  readonly roaming: boolean;
  /** AT+CSQ rssi 0..31 (TS 27.007 §8.5); null when the modem reports 99 (unknown). */
  readonly signal: number | null;
  /** Operator name from AT+COPS? (long alphanumeric format), null when not registered. */
  readonly operator: string | null;
}

/** Listener of incoming SMS. */
export type SmsListener = (sms: IncomingSms) => void;

/** A GSM modem able to send and receive SMS. */
export interface Modem {
  /**
   * Open the line and initialise the modem: echo off (ATE0), numeric errors (AT+CMEE=1), PDU mode
   * (AT+CMGF=0), new-message indications (AT+CNMI), SIM check; then take the received SMS already
   * on the SIM (messages written by `storeSms` are left alone). Rejects with a catalogued
   * `BOX_MODEM_*` error.
   */
  start(): Promise<void>;
  /** Close the line. Pending commands reject with `BOX_MODEM_CLOSED`. */
  stop(): Promise<void>;
  /**
   * Send `text` to `to` (E.164, e.g. `+33639980001`), in as many parts as needed. A crash during the
   * call cannot tell afterwards whether a part went out: for alerts, prefer `storeSms` + `sendStored`.
   */
  sendSms(to: string, text: string): Promise<SmsSendResult>;
  /**
   * Write an SMS to the modem's memory (AT+CMGW in PDU mode, one stored message per part), nothing
   * sent; storage indexes in part order. Needs a SIM, not the network. All or nothing: when a part
   * fails the parts already written are deleted again. Memory full: `BOX_MODEM_MEMORY_FULL`.
   */
  storeSms(to: string, text: string): Promise<SmsStoreResult>;
  /** Send one stored part (AT+CMSS=<index>) once registered; its TP-MR message reference. */
  sendStored(index: number): Promise<StoredSendResult>;
  /** Whether a stored part went out (AT+CMGR=<index>): 'sent' (stat 3), 'unsent' (stat 2), 'missing'. */
  storedStatus(index: number): Promise<StoredSmsStatus>;
  /** Free a stored part (AT+CMGD=<index>); a missing index, or one holding a received SMS, is left alone. */
  deleteStored(index: number): Promise<void>;
  /** Query SIM, registration, signal and operator. Works even when `start()` failed for want of a SIM. */
  health(): Promise<ModemHealth>;
  /**
   * Reboot the modem (AT+CFUN=1,1, TS 27.007 §8.2) when it keeps failing: stuck firmware is the
   * commonest cause of a modem that answers but no longer sends. It is initialised again on the
   * next use; messages stored on the SIM survive.
   */
  reset(): Promise<void>;
  /** Incoming SMS (read with AT+CMGR, then deleted with AT+CMGD). */
  on(event: 'sms', listener: SmsListener): this;
  off(event: 'sms', listener: SmsListener): this;
}
