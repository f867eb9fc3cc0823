/**
 * The emulated modem's AT command interpreter: the settings and SIM/network state a command reads
 * or changes, and the answer it gets. Commands per ITU-T V.250, 3GPP TS 27.007 (CPIN §8.3, CREG
 * §7.2, CSQ §8.5, COPS §7.3, CMEE §9.1) and TS 27.005 in PDU mode (CMGF §3.2.3, CNMI §3.4.1, CPMS
 * §3.2.2, CMGS §3.5.1, CMGW §3.5.3, CMSS §3.5.2, CMGR §3.4.3, CMGL §3.4.2, CMGD §3.5.4).
 */
import type { SimStorage } from './sim-storage.ts';

/** SIM states the emulator can take. */
export type EmulatedSim = 'ready' | 'missing' | 'pin_required';

/** Network registration states (AT+CREG <stat>, TS 27.007 §7.2). */
export const REGISTRATION = { none: 0, home: 1, searching: 2, denied: 3, roaming: 5 } as const;

/** What the commands read and change. */
export interface ModemState {
  echo: boolean;
  /** Faulty firmware: ATE0 answers OK but echo stays on. */
  keepEcho: boolean;
  cmee: number;
  cmgf: number;
  /** AT+CNMI <mt>: 1 = announce stored messages with +CMTI. */
  newMessageIndication: number;
  cregMode: number;
  sim: EmulatedSim;
  registration: number;
  signal: number | null;
  readonly operator: string;
  readonly smsc: string;
  readonly storage: SimStorage;
  /** Faulty firmware: every send answers ERROR until the modem is reset (AT+CFUN=1,1). */
  wedged: boolean;
  /** How many times AT+CFUN=1,1 rebooted it. */
  resets: number;
}

/**
 * An answer: information lines and a final result code; or the `> ` prompt of AT+CMGS, or of AT+CMGW
 * when `write` holds the <stat> to store the PDU with; or a stored message to send (AT+CMSS), which
 * the emulator answers since sending is its business (the network, the record of sent SMS).
 */
export type Answer =
  | { readonly lines?: readonly string[]; readonly final: string }
  | { readonly prompt: number; readonly write?: 2 | 3 }
  | { readonly sendStored: number; readonly to?: string };

/** Longest TPDU of an SMS-SUBMIT (TS 23.040 §9.2.2.2: 7 + 12 address + 7 validity + 140 user data). */
export const MAX_TPDU = 164;

/** Verbose texts for AT+CMEE=2 (TS 27.007 §9.2, TS 27.005 §3.2.5). */
const VERBOSE: Readonly<Record<number, string>> = {
  10: 'SIM not inserted',
  11: 'SIM PIN required',
  302: 'operation not allowed',
  304: 'invalid PDU mode parameter',
  310: 'SIM not inserted',
  311: 'SIM PIN required',
  321: 'invalid memory index',
  322: 'memory full',
  331: 'no network service',
  500: 'unknown error',
};

const OK: Answer = { final: 'OK' };

/** The registration stat the modem reports: nothing without a usable SIM. */
export function registrationStat(state: ModemState): number {
  return state.sim === 'ready' ? state.registration : REGISTRATION.none;
}

/** Registered on the home network or roaming. */
export function isRegistered(state: ModemState): boolean {
  const stat = registrationStat(state);
  return stat === REGISTRATION.home || stat === REGISTRATION.roaming;
}

/** `+CME ERROR: <code>` as AT+CMEE asks (plain ERROR when 0). */
export function cmeError(state: ModemState, code: number): Answer {
  if (state.cmee === 0) return { final: 'ERROR' };
  return { final: `+CME ERROR: ${state.cmee === 2 ? (VERBOSE[code] ?? code) : code}` };
}

/** `+CMS ERROR: <code>`, verbose when AT+CMEE=2. */
export function cmsError(state: ModemState, code: number): Answer {
  return { final: `+CMS ERROR: ${state.cmee === 2 ? (VERBOSE[code] ?? code) : code}` };
}

/** Run one command line (starting with AT) against `state`. */
export function runCommand(state: ModemState, command: string): Answer {
  const upper = command.toUpperCase();
  const info = (...lines: string[]): Answer => ({ lines, final: 'OK' });
  let m: RegExpExecArray | null;
  if (upper === 'AT') return OK;
  if ((m = /^ATE([01]?)$/.exec(upper))) {
    state.echo = m[1] === '1' || state.keepEcho;
    return OK;
  }
  if (upper === 'ATZ') {
    Object.assign(state, { echo: true, cmee: 0, cmgf: 0, newMessageIndication: 0 });
    return OK;
  }
  if (upper === 'ATI') return info('Vigie', 'modem emulator', 'Revision: 1');
  // TS 27.007 §8.2: full functionality; with <rst> 1, reset first (settings back to defaults).
  if ((m = /^AT\+CFUN=1(?:,([01]))?$/.exec(upper))) {
    if (m[1] === '1') Object.assign(state, { echo: true, cmee: 0, cmgf: 0, newMessageIndication: 0, wedged: false, resets: state.resets + 1 });
    return OK;
  }
  if (upper === 'AT+CFUN?') return info('+CFUN: 1');
  if ((m = /^AT\+CMEE=([012])$/.exec(upper))) {
    state.cmee = Number(m[1]);
    return OK;
  }
  if (upper === 'AT+CMEE?') return info(`+CMEE: ${state.cmee}`);
  if (upper === 'AT+CPIN?') {
    if (state.sim === 'missing') return cmeError(state, 10);
    return info(`+CPIN: ${state.sim === 'ready' ? 'READY' : 'SIM PIN'}`);
  }
  if ((m = /^AT\+CREG=([012])$/.exec(upper))) {
    state.cregMode = Number(m[1]);
    return OK;
  }
  if (upper === 'AT+CREG?') return info(`+CREG: ${state.cregMode},${registrationStat(state)}`);
  if (upper === 'AT+CSQ') return info(`+CSQ: ${state.signal ?? 99},99`);
  if (upper === 'AT+COPS?') return info(isRegistered(state) ? `+COPS: 0,0,"${state.operator}",7` : '+COPS: 0');
  if (upper.startsWith('AT+COPS=')) return OK;
  if ((m = /^AT\+CMGF=([01])$/.exec(upper))) {
    state.cmgf = Number(m[1]);
    return OK;
  }
  if (upper === 'AT+CMGF?') return info(`+CMGF: ${state.cmgf}`);
  if ((m = /^AT\+CNMI=\d(?:,(\d))?/.exec(upper))) {
    state.newMessageIndication = Number(m[1] ?? 0);
    return OK;
  }
  if (upper === 'AT+CNMI?') return info(`+CNMI: 2,${state.newMessageIndication},0,0,0`);
  if (/^AT\+(CPMS|CMGS|CMGW|CMSS|CMGR|CMGD|CMGL|CSCA)/.test(upper) && state.sim !== 'ready') {
    return cmsError(state, state.sim === 'missing' ? 310 : 311);
  }
  if (state.wedged && /^AT\+(CMGS|CMSS|CMGW)/.test(upper)) return { final: 'ERROR' };
  return runSmsCommand(state, upper) ?? { final: 'ERROR' };
}

function runSmsCommand(state: ModemState, upper: string): Answer | undefined {
  const { storage } = state;
  let m: RegExpExecArray | null;
  if (upper.startsWith('AT+CPMS=')) {
    const usage = `${storage.used},${storage.capacity}`;
    return { lines: [`+CPMS: ${usage},${usage},${usage}`], final: 'OK' };
  }
  if (upper === 'AT+CSCA?') return { lines: [`+CSCA: "${state.smsc}",145`], final: 'OK' };
  if ((m = /^AT\+CMGS=(\d+)$/.exec(upper))) {
    const length = Number(m[1]);
    if (state.cmgf !== 0) return cmsError(state, 302);
    if (length < 1 || length > MAX_TPDU) return cmsError(state, 304);
    return { prompt: length };
  }
  if ((m = /^AT\+CMGW=(\d+)(?:,(\d))?$/.exec(upper))) {
    // PDU mode, <stat> default 2 (TS 27.005 §3.5.3). Only SMS-SUBMITs are emulated: stat 2 or 3.
    const length = Number(m[1]);
    const stat = Number(m[2] ?? 2);
    if (state.cmgf !== 0) return cmsError(state, 302);
    if (length < 1 || length > MAX_TPDU || (stat !== 2 && stat !== 3)) return cmsError(state, 304);
    return { prompt: length, write: stat === 3 ? 3 : 2 };
  }
  if ((m = /^AT\+CMSS=(\d+)(?:,"?(\+?\d+)"?(?:,\d+)?)?$/.exec(upper))) {
    // <da> (and <toda>) given: sent there instead of the stored destination (TS 27.005 §3.5.2).
    return m[2] === undefined ? { sendStored: Number(m[1]) } : { sendStored: Number(m[1]), to: m[2] };
  }
  if ((m = /^AT\+CMGR=(\d+)$/.exec(upper))) {
    const sms = storage.read(Number(m[1]));
    if (!sms) return cmsError(state, 321);
    return { lines: [`+CMGR: ${sms.status},,${sms.length}`, sms.pdu], final: 'OK' };
  }
  if ((m = /^AT\+CMGD=(\d+)(?:,([0-4]))?$/.exec(upper))) {
    storage.delete(Number(m[1]), Number(m[2] ?? 0));
    return OK;
  }
  if ((m = /^AT\+CMGL(?:=([0-4]))?$/.exec(upper))) {
    const listed = storage.list(Number(m[1] ?? 0));
    return { lines: listed.flatMap((sms) => [`+CMGL: ${sms.index},${sms.status},,${sms.length}`, sms.pdu]), final: 'OK' };
  }
  return undefined;
}
