import type { Logger } from '@vigie/common';
import { readBusCredential, type BoxFile } from '@vigie/provisioning';
import { dataPaths } from '@vigie/common';
import type { BoxEnv } from './config.ts';
import type { Clock } from './clock.ts';
import type { CloudClient } from './telemetry/cloud-client.ts';
import { createSafetyCore, type SafetyCore } from './safety-core/safety-core.ts';
import { createTelemetryService, type TelemetryService } from './telemetry/telemetry-service.ts';
import { ScreenService } from './screen/screen-service.ts';
import type { Display } from './display/port.ts';
import { systemClock } from './clock.ts';

export { BOX_SOFTWARE_VERSION } from './telemetry/telemetry-service.ts';

/** The whole box in one process (tests, tools). In production each part runs as its own process. */
export interface Box {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly mqttUrl: string;
  readonly busRefusals: SafetyCore['busRefusals'];
  readonly emulator: SafetyCore['emulator'];
  readonly alerts: SafetyCore['alerts'];
  readonly dispatcher: SafetyCore['dispatcher'];
  readonly followUp: SafetyCore['followUp'];
  /** A short press of the box's button. */
  cancelFall(): string | null;
  readonly simulatedGpio: SafetyCore['simulatedGpio'];
  readonly readings: TelemetryService['readings'];
  readonly uplink: TelemetryService['uplink'];
  readonly screen: ScreenService | undefined;
}

/** What the box is built from; tests replace the clock or the cloud client. */
export interface BoxOptions {
  readonly env: BoxEnv;
  readonly boxFile: BoxFile;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly cloud?: CloudClient;
  /** A display for the status screen; none: no screen. */
  readonly display?: Display;
}

/**
 * The safety core and the telemetry service side by side in one process, started in the safety
 * order (core first) and stopped in reverse. `vigie-box run` instead runs them as two supervised
 * processes (see supervisor.ts), so that a crash of one cannot take the other down.
 */
export function createBox(options: BoxOptions): Box {
  const core = createSafetyCore(options);
  const telemetry = createTelemetryService({ ...options, mqttUrl: () => core.mqttUrl });
  const screen = options.display
    ? new ScreenService({
        mqttUrl: () => core.mqttUrl,
        busSecret: () => readBusCredential(dataPaths(options.env.VIGIE_DATA_DIR).box, 'screen'),
        display: options.display,
        clock: options.clock ?? systemClock,
        log: options.log.child({ module: 'screen' }),
        batteryLowPercent: () => options.boxFile.thresholds.batteryLowPercent,
      })
    : undefined;
  return {
    get mqttUrl() {
      return core.mqttUrl;
    },
    busRefusals: () => core.busRefusals(),
    emulator: core.emulator,
    alerts: core.alerts,
    dispatcher: core.dispatcher,
    followUp: core.followUp,
    cancelFall: () => core.cancelFall(),
    get simulatedGpio() {
      return core.simulatedGpio;
    },
    readings: telemetry.readings,
    uplink: telemetry.uplink,
    screen,
    async start() {
      await core.start();
      for (const part of [telemetry, screen]) {
        // The other parts failing to start must not stop the safety core.
        await part?.start().catch((err: unknown) => options.log.error({ err }, 'a box part failed to start; the safety core runs on'));
      }
    },
    async stop() {
      for (const part of [screen, telemetry]) await part?.stop().catch((err: unknown) => options.log.error({ err }, 'stop failed'));
      await core.stop();
    },
  };
}
