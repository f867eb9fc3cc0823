import type { Logger } from '@vigie/common';
import type { BoxFile } from '@vigie/provisioning';
import type { BoxEnv } from './config.ts';
import type { Clock } from './clock.ts';
import type { CloudClient } from './sync/cloud-client.ts';
import { createSafetyCore, type SafetyCore } from './safety-core.ts';
import { createTelemetryService, type TelemetryService } from './telemetry-service.ts';

export { BOX_SOFTWARE_VERSION } from './telemetry-service.ts';

/** The whole box in one process (tests, tools). In production each part runs as its own process. */
export interface Box {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly mqttUrl: string;
  readonly emulator: SafetyCore['emulator'];
  readonly alerts: SafetyCore['alerts'];
  readonly dispatcher: SafetyCore['dispatcher'];
  readonly followUp: SafetyCore['followUp'];
  readonly readings: TelemetryService['readings'];
  readonly uplink: TelemetryService['uplink'];
}

/** What the box is built from; tests replace the clock or the cloud client. */
export interface BoxOptions {
  readonly env: BoxEnv;
  readonly boxFile: BoxFile;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly cloud?: CloudClient;
}

/**
 * The safety core and the telemetry service side by side in one process, started in the safety
 * order (core first) and stopped in reverse. `vigie-box run` instead runs them as two supervised
 * processes (see supervisor.ts), so that a crash of one cannot take the other down.
 */
export function createBox(options: BoxOptions): Box {
  const core = createSafetyCore(options);
  const telemetry = createTelemetryService({ ...options, mqttUrl: () => core.mqttUrl });
  return {
    get mqttUrl() {
      return core.mqttUrl;
    },
    emulator: core.emulator,
    alerts: core.alerts,
    dispatcher: core.dispatcher,
    followUp: core.followUp,
    readings: telemetry.readings,
    uplink: telemetry.uplink,
    async start() {
      await core.start();
      try {
        await telemetry.start();
      } catch (err) {
        // Telemetry failing to start must not stop the safety core.
        options.log.error({ err }, 'telemetry service failed to start; safety core runs on');
      }
    },
    async stop() {
      await telemetry.stop().catch((err: unknown) => options.log.error({ err }, 'telemetry stop failed'));
      await core.stop();
    },
  };
}
