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

/** An SMS received by the modem, reassembled when it came in several parts. */
export interface IncomingSms {
  /** Sender: E.164 (`+33639980001`), a national number, or an alphanumeric sender name. */
  readonly from: string;
  readonly text: string;
  /** Service-centre time stamp (TS 23.040 §9.2.3.11), epoch ms: the network's clock, not the box's. */
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
   * (AT+CMGF=0), new-message indications (AT+CNMI), SIM check; then read the messages already
   * stored on the SIM. Rejects with a catalogued `BOX_MODEM_*` error.
   */
  start(): Promise<void>;
  /** Close the line. Pending commands reject with `BOX_MODEM_CLOSED`. */
  stop(): Promise<void>;
  /** Send `text` to `to` (E.164, e.g. `+33639980001`), in as many parts as needed. */
  sendSms(to: string, text: string): Promise<SmsSendResult>;
  /** Query SIM, registration, signal and operator. Works even when `start()` failed for want of a SIM. */
  health(): Promise<ModemHealth>;
  /** Incoming SMS (read with AT+CMGR, then deleted with AT+CMGD). */
  on(event: 'sms', listener: SmsListener): this;
  off(event: 'sms', listener: SmsListener): this;
}
