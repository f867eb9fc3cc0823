/**
 * Is the box's clock synchronised? A port with two adapters (style habit 1): `timedatectl` on the
 * Pi (systemd's view, fed by chrony), and a simulated one for development and tests.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The clock-synchronisation port. */
export interface ClockSync {
  /** True when synchronised, false when not, null when it cannot be told. */
  synchronised(): Promise<boolean | null>;
}

/** `timedatectl show -p NTPSynchronized --value` (systemd ≥ 239): "yes" or "no". */
export function timedatectlClockSync(run = promisify(execFile)): ClockSync {
  return {
    async synchronised() {
      try {
        const { stdout } = await run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value'], { timeout: 3_000 });
        const answer = stdout.trim();
        return answer === 'yes' ? true : answer === 'no' ? false : null;
      } catch {
        return null;
      }
    },
  };
}

/** Development: the state the test sets (default synchronised). */
export class SimulatedClockSync implements ClockSync {
  constructor(public state: boolean | null = true) {}
  async synchronised() {
    return this.state;
  }
}

/** The adapter the configuration names. */
export function createClockSync(kind: 'timedatectl' | 'simulated'): ClockSync {
  return kind === 'timedatectl' ? timedatectlClockSync() : new SimulatedClockSync();
}
