/**
 * Classification of the lines a modem prints (ITU-T V.250 §5.7, 3GPP TS 27.007 §9.2, TS 27.005
 * §3.2.5): final result codes, unsolicited result codes, and the errors they map to.
 */
import type { VigieError } from '@vigie/common';
import { modemErrors } from './errors.ts';

/** A final result code: the end of a command's answer. */
export type FinalResult =
  | { readonly kind: 'ok' }
  | { readonly kind: 'error' }
  /** `+CME ERROR: <err>` (TS 27.007 §9.2) or `+CMS ERROR: <err>` (TS 27.005 §3.2.5), numeric or verbose. */
  | { readonly kind: 'cme' | 'cms'; readonly code: number | string };

/** The final result code `line` is, if it is one. */
export function parseFinalResult(line: string): FinalResult | undefined {
  if (line === 'OK') return { kind: 'ok' };
  // "COMMAND NOT SUPPORT" is what some Huawei modules print instead of ERROR.
  if (line === 'ERROR' || line === 'COMMAND NOT SUPPORT') return { kind: 'error' };
  const match = /^\+(CME|CMS) ERROR:\s*(.*)$/.exec(line);
  if (!match) return undefined;
  const raw = match[2]!.trim();
  const code = /^\d+$/.test(raw) ? Number(raw) : raw;
  return { kind: match[1] === 'CME' ? 'cme' : 'cms', code };
}

/**
 * Unsolicited result codes a modem may print at any time, even in the middle of a command's answer:
 * new message (+CMTI, +CMT, +CDS…, TS 27.005 §3.4.1), call (RING, +CRING, +CLIP), registration
 * (+CREG, +CGREG, +CEREG, TS 27.007 §7.2), and vendor start-up lines.
 */
const URC =
  /^(?:\+(?:CMTI|CMT|CDSI|CDS|CBM|CREG|CGREG|CEREG|CRING|CLIP|CCWA|CUSD|CIEV|CPIN|CFUN|CTZV|CTZE|CTZU|QIND|QUSIM|CSQN|CGEV|PSUTTZ|STIN):|\^[A-Z]+:?|RING$|NO CARRIER$|BUSY$|NO ANSWER$|NO DIALTONE$|RDY$|Call Ready$|SMS Ready$|PB DONE$|NORMAL POWER DOWN$|UNDER-VOLTAGE)/;

/** Whether `line` is a known unsolicited result code. */
export function isUnsolicited(line: string): boolean {
  return URC.test(line);
}

/** URCs followed by a second line holding a PDU (PDU mode, TS 27.005 §3.4.1, mt=2 / ds=1 / bm=2). */
export function hasDataLine(line: string): boolean {
  return /^\+(?:CMT|CDS|CBM):/.test(line);
}

/** The catalogued error for a failed final result of `command`. */
export function resultError(result: Exclude<FinalResult, { kind: 'ok' }>, command: string): VigieError {
  switch (result.kind) {
    case 'error':
      return modemErrors.create('BOX_MODEM_ERROR', { message: `The modem answered ERROR to ${command}`, details: { command } });
    case 'cme':
      return modemErrors.create('BOX_MODEM_CME_ERROR', {
        message: `The modem answered +CME ERROR: ${result.code} to ${command}`,
        details: { command, cme: result.code },
      });
    case 'cms':
      return modemErrors.create('BOX_MODEM_CMS_ERROR', {
        message: `The modem answered +CMS ERROR: ${result.code} to ${command}`,
        details: { command, cms: result.code },
      });
    default:
      return result satisfies never;
  }
}
