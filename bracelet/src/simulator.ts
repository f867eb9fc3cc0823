import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '@vigie/common';
import {
  encodeBatteryLevel,
  encodeEmergency,
  encodeHeartRateMeasurement,
  encodePlxContinuousMeasurement,
  encodeSteps,
  encodeWorn,
  FirmwareGatt,
  GattCharacteristic,
  GattService,
  type BraceletEventKind,
  type SimRadioHello,
} from '@vigie/protocol';
import type { SimulatorCommand, SimulatorOkResponse, SimulatorStatus } from './control-protocol.ts';
import { ControlServer } from './control-server.ts';
import { PatientModel, type PhysiologyOutput } from './physiology.ts';
import { replayCardiacArrest, replayDesaturation, replayFall, replayRemoval } from './algorithms/replay.ts';
import { braceletErrors } from './errors.ts';
import { RadioServer, type GattNotification } from './radio-server.ts';
import { firmwareWrites, type FirmwareTarget } from './firmware/firmware-target.ts';

/** Run `fn` after `ms`; returns the function that cancels it. Injected so tests control time. */
export type Schedule = (fn: () => void, ms: number) => () => void;

const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

export interface BraceletSimulatorOptions {
  /** The bracelet's identity on the radio (`BraceletId` pattern). */
  readonly deviceId: string;
  /** Advertised name. Default `Vigie Bracelet`. */
  readonly name?: string;
  /** Divides every cadence (60: a 2-minute heart-rate mean every 2 s). Default 1. */
  readonly speed?: number;
  /** Seed of the patient model. Default 1. */
  readonly seed?: number;
  /** Unix socket of the simulated radio; omitted, notifications are only emitted in process. */
  readonly radioSocketPath?: string;
  /** Unix socket of the control interface; omitted, none. */
  readonly controlSocketPath?: string;
  readonly log?: Logger;
  /** Epoch milliseconds. Default `Date.now`. */
  readonly clock?: () => number;
  readonly schedule?: Schedule;
  /** Sequence number of the first emergency event. Default: derived from the start time (see start()). */
  readonly firstEventSeq?: number;
  readonly restingHr?: number;
  readonly batteryPercent?: number;
  readonly utcOffsetMinutes?: number;
  /** The bracelet's firmware slots (issue 15): offered as the firmware-update service when given. */
  readonly firmware?: FirmwareTarget;
}

/** In-process events of the simulator. */
export interface BraceletSimulatorEvents {
  notification: [GattNotification];
}

/** Confidence of a confirmed cardiac arrest, percent (the detector is a confirmed rule, not a score). */
const CARDIAC_ARREST_CONFIDENCE = 92;

/**
 * The simulated Vigie bracelet: a {@link PatientModel} whose reports are encoded exactly as the
 * real firmware sends them (0x2A37 with uint8 bpm and sensor contact, 0x2A5F, 0x2A19, Vigie vendor
 * steps / emergency / worn) and emitted as GATT notifications, in process (`notification` event)
 * and on the simulated radio socket. Emergencies are injected by method or through the control
 * socket. While not worn, the bracelet measures nothing: only battery, worn status and
 * emergencies (the help button still works) are sent.
 */
export class BraceletSimulator extends EventEmitter<BraceletSimulatorEvents> {
  readonly name = 'bracelet-simulator';
  readonly deviceId: string;
  readonly #options: BraceletSimulatorOptions;
  readonly #log: Logger;
  readonly #clock: () => number;
  readonly #schedule: Schedule;
  readonly #model: PatientModel;
  readonly #radio: RadioServer | undefined;
  readonly #control: ControlServer | undefined;
  readonly #broadcast = (n: GattNotification) => this.#radio?.broadcast(n);
  #cancelTick: (() => void) | undefined;
  #running = false;
  #worn = true;
  #charging = false;
  #nextEventSeq: number | undefined;
  #lastEventSeq: number | null = null;

  constructor(options: BraceletSimulatorOptions) {
    super();
    this.deviceId = options.deviceId;
    this.#options = options;
    this.#log = (options.log ?? silentLogger()).child({ module: 'bracelet-simulator' });
    this.#clock = options.clock ?? Date.now;
    this.#schedule = options.schedule ?? realSchedule;
    this.#model = new PatientModel({
      seed: options.seed ?? 1,
      startMs: this.#clock(),
      speed: options.speed,
      restingHr: options.restingHr,
      batteryPercent: options.batteryPercent,
      utcOffsetMinutes: options.utcOffsetMinutes,
    });
    this.#radio =
      options.radioSocketPath === undefined
        ? undefined
        : new RadioServer({ path: options.radioSocketPath, log: this.#log, hello: () => this.hello(), onConnectState: () => this.currentState(), onWrite: options.firmware && firmwareWrites(options.firmware) });
    const radio = this.#radio;
    options.firmware?.on('answer', (data) => this.#broadcast({ service: FirmwareGatt.service, characteristic: FirmwareGatt.control, data }));
    options.firmware?.on('reboot', ({ downMs }) => radio?.dropLinks(downMs));
    this.#control =
      options.controlSocketPath === undefined
        ? undefined
        : new ControlServer({ path: options.controlSocketPath, log: this.#log, handle: (command) => this.handle(command) });
  }

  /** Listen on the sockets and start reporting. */
  async start(): Promise<void> {
    this.on('notification', this.#broadcast);
    try {
      await this.#radio?.start();
      await this.#control?.start();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.#running = true;
    this.#tick();
    this.#log.info({ deviceId: this.deviceId, speed: this.#model.speed }, 'bracelet simulator started');
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#cancelTick?.();
    this.#cancelTick = undefined;
    this.off('notification', this.#broadcast);
    await this.#control?.stop();
    await this.#radio?.stop();
  }

  /**
   * Play the committed synthetic fall recording (100 Hz accelerometer) through the reference fall
   * detector, as the firmware would; the fall event is sent only because the detector recognised
   * it, with the detector's confidence unless `confidence` overrides it. Returns its sequence number.
   */
  injectFall(confidence?: number): number {
    const event = replayFall();
    if (!event) throw braceletErrors.create('BRACELET_EVENT_NOT_DETECTED', { details: { event: 'fall' } });
    this.#log.info({ impactS: event.impactTimeS, peakG: Math.round(event.peakG * 10) / 10, angleDeg: Math.round(event.angleDeg) }, 'fall detected in the accelerometer stream');
    return this.#emergency('fall', confidence ?? event.confidence);
  }

  /**
   * Play per-second sensor samples of a cardiac arrest (pulse lost, worn, motionless) through the
   * reference detector; the event is sent once it confirms. Returns its sequence number.
   */
  injectCardiacArrest(confidence = CARDIAC_ARREST_CONFIDENCE): number {
    const at = replayCardiacArrest();
    if (at === null) throw braceletErrors.create('BRACELET_EVENT_NOT_DETECTED', { details: { event: 'cardiac_arrest' } });
    return this.#emergency('cardiac_arrest', confidence);
  }

  /** Press the help button; returns the event's sequence number. */
  pressHelp(): number {
    return this.#emergency('manual_help', 100);
  }

  /**
   * Put the bracelet on or take it off; notifies the worn status when it changes. Taking it off
   * plays the per-second samples of a removal through the wear detector (30 s without skin contact).
   */
  setWorn(worn: boolean): void {
    if (worn === this.#worn) return;
    if (!worn && !this.#charging) {
      const removal = replayRemoval(false);
      this.#log.info({ state: removal.state, afterS: removal.afterS }, 'wear detector decided');
    }
    this.#worn = worn;
    this.#log.info({ worn }, 'worn status changed');
    this.#notify(GattService.vigie, GattCharacteristic.vigieWorn, encodeWorn(worn));
  }

  /**
   * Play five minutes of desaturated oximeter samples through the SpO2 mean and send the report
   * (0x2A5F); the box's hypoxemia rule does the rest. Returns the mean sent.
   */
  injectHypoxemia(spo2 = 85): number {
    const mean = replayDesaturation(spo2);
    if (mean.value === null) throw braceletErrors.create('BRACELET_EVENT_NOT_DETECTED', { details: { event: 'hypoxemia' } });
    this.#log.info({ hypoxemia: mean.value < 90 }, 'SpO2 5-minute mean of a desaturation sent');
    this.#notify(GattService.pulseOximeter, GattCharacteristic.plxContinuousMeasurement, encodePlxContinuousMeasurement({ normal: { spo2: mean.value, pulseRate: 88 } }));
    return mean.value;
  }

  /** Put the bracelet on (true) or take it off (false) its charger: on it, it is not worn and measures nothing. */
  setCharging(charging: boolean): void {
    if (charging === this.#charging) return;
    this.#charging = charging;
    if (charging) {
      const removal = replayRemoval(true);
      this.#log.info({ state: removal.state, afterS: removal.afterS }, 'wear detector decided');
    }
    this.setWorn(!charging);
  }

  status(): SimulatorStatus {
    return {
      deviceId: this.deviceId,
      worn: this.#worn,
      battery: this.#model.batteryPercent,
      speed: this.#model.speed,
      lastEventSeq: this.#lastEventSeq,
      boxes: this.#radio?.connections ?? 0,
      charging: this.#charging,
    };
  }

  /** Execute a control command (what the control socket calls). */
  handle(command: SimulatorCommand): SimulatorOkResponse {
    switch (command.cmd) {
      case 'fall':
        return { ok: true, ...this.status(), event: 'fall', seq: this.injectFall(command.confidence) };
      case 'cardiac_arrest':
        return { ok: true, ...this.status(), event: 'cardiac_arrest', seq: this.injectCardiacArrest(command.confidence) };
      case 'help':
        return { ok: true, ...this.status(), event: 'manual_help', seq: this.pressHelp() };
      case 'worn':
        this.setWorn(command.worn);
        return { ok: true, ...this.status() };
      case 'hypoxemia':
        this.injectHypoxemia(command.spo2);
        return { ok: true, ...this.status() };
      case 'charging':
        this.setCharging(command.charging);
        return { ok: true, ...this.status() };
      case 'status':
        return { ok: true, ...this.status() };
      default:
        return command satisfies never;
    }
  }

  /** The discovery frame a box receives on connection. */
  hello(): SimRadioHello {
    return {
      type: 'hello',
      deviceId: this.deviceId,
      name: this.#options.name ?? 'Vigie Bracelet',
      services: [GattService.heartRate, GattService.pulseOximeter, GattService.battery, GattService.vigie, ...(this.#options.firmware ? [FirmwareGatt.service] : [])],
    };
  }

  /** What a newly connected box is told at once: battery level and worn status. */
  currentState(): GattNotification[] {
    return [
      { service: GattService.battery, characteristic: GattCharacteristic.batteryLevel, data: encodeBatteryLevel(this.#model.batteryPercent) },
      { service: GattService.vigie, characteristic: GattCharacteristic.vigieWorn, data: encodeWorn(this.#worn) },
    ];
  }

  #emergency(event: BraceletEventKind, confidence: number): number {
    // A real bracelet keeps its event counter across reboots; starting from the clock keeps a
    // restarted simulator from repeating a recent sequence number the box would take for a duplicate.
    const seq = this.#nextEventSeq ?? this.#options.firstEventSeq ?? Math.floor(this.#clock() / 1000) & 0xffff;
    const data = encodeEmergency({ event, seq, confidence });
    this.#nextEventSeq = (seq + 1) & 0xffff; // uint16 on the wire: wraps
    this.#lastEventSeq = seq;
    this.#log.info({ event, seq }, 'emergency event sent');
    this.#notify(GattService.vigie, GattCharacteristic.vigieEmergency, data);
    return seq;
  }

  #tick(): void {
    this.#cancelTick = undefined;
    if (!this.#running) return;
    // After a stall (a suspended laptop), send only the latest report of each kind: a burst of
    // stale values would all carry the same reception time on the box.
    const latest = new Map<PhysiologyOutput['kind'], PhysiologyOutput>();
    for (const output of this.#model.advance(this.#clock())) latest.set(output.kind, output);
    for (const output of latest.values()) this.#report(output);
    const delay = Math.max(0, Math.ceil(this.#model.nextDueAt() - this.#clock()));
    this.#cancelTick = this.#schedule(() => this.#tick(), delay);
  }

  #report(output: PhysiologyOutput): void {
    if (output.kind !== 'battery' && !this.#worn) return;
    this.#log.debug({ report: output }, 'report');
    switch (output.kind) {
      case 'heart_rate':
        // uint8 format with sensor contact detected: what a wrist PPG sensor sends when worn.
        this.#notify(GattService.heartRate, GattCharacteristic.heartRateMeasurement, encodeHeartRateMeasurement({ bpm: output.bpm, valueFormat: 'uint8', contact: 'detected' }));
        break;
      case 'spo2':
        this.#notify(
          GattService.pulseOximeter,
          GattCharacteristic.plxContinuousMeasurement,
          encodePlxContinuousMeasurement({ normal: { spo2: output.spo2, pulseRate: output.pulseRate } }),
        );
        break;
      case 'steps':
        this.#notify(GattService.vigie, GattCharacteristic.vigieSteps, encodeSteps({ count: output.count, periodS: output.periodS }));
        break;
      case 'battery':
        this.#notify(GattService.battery, GattCharacteristic.batteryLevel, encodeBatteryLevel(output.percent));
        break;
      default:
        output satisfies never;
    }
  }

  #notify(service: string, characteristic: string, data: Uint8Array): void {
    this.emit('notification', { service, characteristic, data });
  }
}
