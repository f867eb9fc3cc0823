import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { UpdateReport } from '@vigie/protocol';
import type { SlotName } from '../slots/port.ts';

/**
 * The agent's durable state (`<data dir>/update/agent-state.json`), written whole and renamed so a
 * power cut leaves the old or the new file:
 * - `idle`;
 * - `installed`: the new slot is written, waiting for a quiet moment to restart;
 * - `booting`: restarted into `toSlot` from `fromSlot`; the next start runs the health check;
 * and the reports not yet delivered to the cloud (sent again at each cycle, oldest first).
 */
export type AgentPhase =
  | { readonly phase: 'idle' }
  | { readonly phase: 'installed'; readonly campaignId: string; readonly version: string; readonly fromSlot: SlotName }
  | { readonly phase: 'booting'; readonly campaignId: string; readonly version: string; readonly fromSlot: SlotName };

export interface AgentState {
  readonly current: AgentPhase;
  readonly outbox: readonly UpdateReport[];
}

const EMPTY: AgentState = { current: { phase: 'idle' }, outbox: [] };

export class AgentStateFile {
  readonly #file: string;
  constructor(file: string) {
    this.#file = file;
  }

  read(): AgentState {
    if (!existsSync(this.#file)) return EMPTY;
    try {
      return JSON.parse(readFileSync(this.#file, 'utf8')) as AgentState;
    } catch {
      // A file we cannot read is a file we did not write whole: start afresh (the cloud's campaign
      // state is the record; at worst a report is sent twice or the download starts over).
      return EMPTY;
    }
  }

  write(state: AgentState): void {
    mkdirSync(dirname(this.#file), { recursive: true, mode: 0o700 });
    writeFileSync(`${this.#file}.tmp`, JSON.stringify(state), { mode: 0o600 });
    renameSync(`${this.#file}.tmp`, this.#file);
  }
}
