import { z } from '@vigie/common';
import type { BraceletEventKind } from '@vigie/protocol';

/**
 * The simulator's control socket: one JSON request per line, one JSON answer line per request.
 * Used by `vigie-bracelet fall|…`, `npm run scenario` and the portal's demo page, always through
 * `sendSimulatorCommand`. Development tooling, not a product contract, hence here and not in
 * `@vigie/protocol`.
 */

const Confidence = z.number().int().min(0).max(100);

/** A request to the simulator. */
export const SimulatorCommandSchema = z.discriminatedUnion('cmd', [
  z.strictObject({ cmd: z.literal('fall'), confidence: Confidence.optional() }),
  z.strictObject({ cmd: z.literal('cardiac_arrest'), confidence: Confidence.optional() }),
  z.strictObject({ cmd: z.literal('help') }),
  z.strictObject({ cmd: z.literal('worn'), worn: z.boolean() }),
  /** Five minutes of desaturated oximeter samples through the SpO2 mean (default 85 %). */
  z.strictObject({ cmd: z.literal('hypoxemia'), spo2: z.number().min(50).max(100).optional() }),
  /** The bracelet put on (true) or taken off (false) its charger. */
  z.strictObject({ cmd: z.literal('charging'), charging: z.boolean() }),
  z.strictObject({ cmd: z.literal('status') }),
]);
export type SimulatorCommand = z.infer<typeof SimulatorCommandSchema>;

/** The simulator's state, in every successful answer. */
export interface SimulatorStatus {
  readonly deviceId: string;
  readonly worn: boolean;
  /** Battery charge, percent. */
  readonly battery: number;
  readonly speed: number;
  /** Sequence number of the last emergency event sent, null before the first. */
  readonly lastEventSeq: number | null;
  /** Boxes connected to the simulated radio. */
  readonly boxes: number;
  /** On its charger (not worn then). */
  readonly charging: boolean;
}

/** A successful answer: the state after the command, and the event sent for an emergency. */
export type SimulatorOkResponse = { readonly ok: true; readonly event?: BraceletEventKind; readonly seq?: number } & SimulatorStatus;

/** A refused request (bad JSON, unknown command, invalid field). */
export interface SimulatorErrorResponse {
  readonly ok: false;
  readonly error: string;
  readonly code: string;
}

export type SimulatorResponse = SimulatorOkResponse | SimulatorErrorResponse;

/** Longest request or answer line accepted on the control socket. */
export const CONTROL_MAX_LINE = 4_096;
