import { loadConfig, z } from '@vigie/common';
import { BraceletId, validate } from '@vigie/protocol';

/**
 * Configuration of `vigie-bracelet run`, from the environment; command-line flags override it
 * (`--data-dir` → VIGIE_DATA_DIR, `--speed` → VIGIE_SIM_SPEED, `--seed` → VIGIE_SIM_SEED,
 * `--id` → VIGIE_BRACELET_ID).
 */
export const BraceletEnvSchema = z.object({
  /** Where the simulator's sockets live (`<dir>/sim/bracelet.sock`, `<dir>/sim/bracelet-control.sock`). */
  VIGIE_DATA_DIR: z.string().min(1).default('./data'),
  /** Divides every cadence: 60 sends a 2-minute heart-rate mean every 2 s. */
  VIGIE_SIM_SPEED: z.coerce.number().positive().max(86_400).default(1),
  /** Seed of the simulated patient; the same seed gives the same patient. */
  VIGIE_SIM_SEED: z.coerce.number().int().min(0).max(0xffffffff).default(1),
  /** The bracelet's identity on the radio: its address or serial number. */
  VIGIE_BRACELET_ID: z
    .string()
    .refine((id) => validate(BraceletId, id).ok, 'must be 2–64 letters, digits, ":", "_" or "-"')
    .default('BR-SIM-0001'),
});

export type BraceletEnv = Readonly<z.output<typeof BraceletEnvSchema>>;

/** Validate the simulator's configuration once; every problem is reported at once. */
export function loadBraceletEnv(env: Record<string, string | undefined> = process.env): BraceletEnv {
  return loadConfig(BraceletEnvSchema, env, 'bracelet simulator configuration');
}
