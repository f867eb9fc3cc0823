/**
 * The modem's message memory, as the store-then-send flow uses it (TS 27.005): AT+CMGW writes an
 * SMS-SUBMIT with stat 2 "STO UNSENT" (§3.5.3), AT+CMSS sends it and the modem marks it stat 3
 * "STO SENT" (§3.5.2), AT+CMGR reads that stat back (§3.4.3), AT+CMGD frees the index (§3.5.4).
 * Helpers of SerialModem, over whatever runs its AT commands.
 */
import type { Logger } from '@vigie/common';
import type { AtCommandOptions, AtResponse } from './at-channel.ts';
import { modemErrors, type ModemErrorCode } from './errors.ts';
import { isReceived, MESSAGE_STATUS, parseCmgr, parseCmgw, type StoredPdu } from './modem-answers.ts';
import type { PduPart } from './pdu.ts';
import type { StoredSmsStatus } from './port.ts';

/** Runs one AT command (SerialModem's, which re-initialises the modem after a timeout). */
export type RunAtCommand = (command: string, options?: AtCommandOptions) => Promise<AtResponse>;

/**
 * Write every part with AT+CMGW (PDU mode: `<length>` as for AT+CMGS, then the `> ` prompt, the PDU
 * and Ctrl-Z); their indexes in part order. All or nothing: a caller that gets an error has no index
 * to free, so the parts already written are deleted before it is thrown. `+CMS ERROR: 322` gives
 * `BOX_MODEM_MEMORY_FULL`.
 */
export async function writeParts(run: RunAtCommand, parts: readonly PduPart[], log: Logger): Promise<number[]> {
  const indexes: number[] = [];
  for (const [i, part] of parts.entries()) {
    try {
      const answer = await run(`AT+CMGW=${part.length},${MESSAGE_STATUS.storedUnsent}`, { body: part.pdu, expect: '+CMGW:', required: true });
      indexes.push(parseCmgw(answer.lines));
    } catch (err) {
      await freeWritten(run, indexes, log);
      throw writeError(err, { part: i + 1, parts: parts.length });
    }
  }
  return indexes;
}

async function freeWritten(run: RunAtCommand, indexes: readonly number[], log: Logger): Promise<void> {
  for (const index of indexes) {
    try {
      await run(`AT+CMGD=${index}`);
    } catch (err) {
      // Left behind: a stored part nobody knows of, never sent, until the memory is cleaned.
      log.warn({ err, storageIndex: index }, 'could not free a part of an SMS that failed to be stored');
    }
  }
}

/** AT+CMGR=<index>; undefined when the index is empty (`+CMS ERROR: 321`, or `OK` alone). */
export async function readIndex(run: RunAtCommand, index: number): Promise<StoredPdu | undefined> {
  try {
    return parseCmgr((await run(`AT+CMGR=${index}`, { expect: '+CMGR:', dataLines: true })).lines, index);
  } catch (err) {
    if (isInvalidIndex(err)) return undefined;
    throw err;
  }
}

/**
 * AT+CMGD=<index> if the index holds a message written by AT+CMGW (stat 2/3). A freed index is
 * reused by the next SMS that arrives: a repeated delete (after a crash, say) must not take an
 * incoming one not yet read. An empty index is not an error.
 */
export async function deleteIfStored(run: RunAtCommand, index: number): Promise<void> {
  const stored = await readIndex(run, index);
  if (!stored || isReceived(stored.status)) return;
  try {
    await run(`AT+CMGD=${index}`);
  } catch (err) {
    if (!isInvalidIndex(err)) throw err;
  }
}

/** What the stat of a stored message says of a part written by AT+CMGW. */
export function storedStatusOf(stored: StoredPdu | undefined): StoredSmsStatus {
  if (stored?.status === MESSAGE_STATUS.storedSent) return 'sent';
  if (stored?.status === MESSAGE_STATUS.storedUnsent) return 'unsent';
  return 'missing'; // empty, or a received SMS took the freed index
}

/** A storage index for AT+CMSS / AT+CMGR / AT+CMGD: otherwise the caller's bug, not the modem's. */
export function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`not a modem storage index: ${index}`);
}

/** The same catalogued error with more details (where an operation stopped); other errors as they are. */
export function withDetails(err: unknown, details: Record<string, unknown>): unknown {
  if (!modemErrors.is(err)) return err;
  return modemErrors.create(err.code as ModemErrorCode, { cause: err, message: err.message, details: { ...err.details, ...details } });
}

/** `+CMS ERROR: 321` invalid memory index (TS 27.005 §3.2.5), numeric or verbose. */
function isInvalidIndex(err: unknown): boolean {
  if (!modemErrors.is(err, 'BOX_MODEM_CMS_ERROR')) return false;
  const cms = err.details.cms;
  return cms === 321 || (typeof cms === 'string' && /invalid (memory )?index/i.test(cms));
}

/** `+CMS ERROR: 322` memory full (TS 27.005 §3.2.5) gets its own code: the caller can free memory and retry. */
function writeError(err: unknown, details: Record<string, unknown>): unknown {
  const cms = modemErrors.is(err, 'BOX_MODEM_CMS_ERROR') ? err.details.cms : undefined;
  if (cms === 322 || (typeof cms === 'string' && /memory full/i.test(cms))) {
    return modemErrors.create('BOX_MODEM_MEMORY_FULL', { cause: err, details: { ...details, cms } });
  }
  return withDetails(err, details);
}
