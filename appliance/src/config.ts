import { envBoolean, loadConfig, portSchema, z } from '@vigie/common';
import { DEFAULT_BUFFER_LIMITS } from './telemetry/buffer/buffer-limits.ts';
import { parseSendCadences } from './telemetry/buffer/send-cadence.ts';

/**
 * The box's process configuration, from the environment (systemd unit on a Pi, `npm start` in
 * development). Who the box protects and whom it texts come from the box file written by the
 * technician (`vigie-box provision`, `vigie-box contacts`), not from here.
 */
export const BoxEnvSchema = z.object({
  VIGIE_DATA_DIR: z.string().min(1).default('./data'),
  /** Serial device of the GSM modem (e.g. /dev/ttyUSB2). Unset: the built-in modem emulator. */
  VIGIE_MODEM_DEVICE: z.string().min(1).optional(),
  VIGIE_MODEM_BAUD: z.coerce.number().int().positive().default(115_200),
  /** How long an ordinary AT command may take, and an SMS send (the network can take many seconds). */
  VIGIE_MODEM_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).default(5_000),
  VIGIE_MODEM_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
  /** Local MQTT port (loopback only). 1884 so a system Mosquitto on 1883 does not collide. 0 = any free port. */
  VIGIE_MQTT_PORT: portSchema.default(1884),
  /**
   * Where a component that does not host the broker finds it (the telemetry process). Unset: the
   * loopback address on VIGIE_MQTT_PORT. The supervisor sets it for its children.
   */
  VIGIE_MQTT_URL: z.string().regex(/^mqtt:\/\/[^/]+:\d+$/, 'expected mqtt://host:port').optional(),
  /** BLE adapter: `simulated` (the bracelet simulator's radio socket) or `noble` (a real controller). */
  VIGIE_BLE: z.enum(['simulated', 'noble']).default('simulated'),
  /** HCI controller number for noble (`hci1` → 1); unset: noble's default. */
  VIGIE_BLE_HCI: z.coerce.number().int().min(0).max(15).optional(),
  /** The status screen: `png` (a file, `<data dir>/box/screen.png`) or `epaper-2in13` (the SPI panel). */
  VIGIE_DISPLAY: z.enum(['png', 'epaper-2in13']).default('png'),
  /**
   * How the self-test learns whether the clock is synchronised: `timedatectl` (systemd-timesyncd or
   * chrony on a Pi) or `simulated` (development: always synchronised).
   */
  VIGIE_CLOCK_SYNC: z.enum(['timedatectl', 'simulated']).default('simulated'),
  /** GPIO for the box's buttons: `onoff` (a Pi), `simulated`, or `none` (no buttons). */
  VIGIE_GPIO: z.enum(['none', 'simulated', 'onoff']).default('none'),
  /**
   * How often the uplink looks for readings due by their cadence (VIGIE_SEND_CADENCES decides when
   * they go; this only bounds how late past it) and retries at most this far apart. Alerts go at once regardless.
   */
  VIGIE_SYNC_INTERVAL_MS: z.coerce.number().int().min(100).default(60_000),
  VIGIE_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(1_000).default(300_000),
  /**
   * PEM file of the authority that signs the cloud's TLS certificate: when set, the box trusts only
   * it (a private CA, pinned); unset, the system's roots. `npm start` points it at its development CA.
   */
  VIGIE_CLOUD_CA_FILE: z.string().min(1).optional(),
  /** The update agent (issue 15): A/B slots through `rauc` on a Pi, two directories elsewhere. */
  VIGIE_UPDATE_SLOTS: z.enum(['simulated', 'rauc']).default('simulated'),
  /** How often the update agent asks the update service for a campaign (default hourly). */
  VIGIE_UPDATE_POLL_MS: z.coerce.number().int().min(1_000).default(3_600_000),
  /** The release keys the box trusts (a `ReleaseKeyring`); the Pi image writes /etc/vigie/release-keys.json. Default `<data dir>/box/release-keys.json`. */
  VIGIE_RELEASE_KEYRING: z.string().min(1).optional(),
  /** This box's hardware model, matched against a release's `hardware`. */
  VIGIE_HARDWARE: z.string().regex(/^[a-z0-9][a-z0-9._-]{1,47}$/).default('rpi4-sim7600'),
  /** Download ceiling of the update agent, bytes per second (0: none): the GSM link also carries alerts. */
  VIGIE_UPDATE_MAX_BYTES_PER_SECOND: z.coerce.number().int().min(0).default(0),
  /** Most readings per telemetry batch. */
  VIGIE_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(1_000),
  /**
   * The telemetry buffer's bounds (appliance/README.md, "Telemetry buffer"): readings held, and
   * their estimated bytes. Defaults hold 94 days of readings at the design's cadences.
   */
  VIGIE_BUFFER_MAX_ROWS: z.coerce.number().int().min(100).default(DEFAULT_BUFFER_LIMITS.maxRows),
  VIGIE_BUFFER_MAX_BYTES: z.coerce.number().int().min(16_384).default(DEFAULT_BUFFER_LIMITS.maxBytes),
  /**
   * When readings are due for the cloud, per metric: `metric:[count/]age` entries overriding the
   * design's cadences (heart_rate:5/10m, spo2:10/50m, steps:12/6h, bracelet_battery:6h), or
   * `immediate` (every reading at the next check).
   */
  VIGIE_SEND_CADENCES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const parsed = parseSendCadences(text);
      if (parsed.ok) return parsed.value;
      for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }),
  // Kafka transport (docs/decisions/0005-kafka-exactly-once.md). Unset KAFKA_BROKERS: HTTPS.
  /** Comma-separated `host:port` of the Kafka bootstrap brokers; set, the box produces to Kafka. */
  KAFKA_BROKERS: z.preprocess(
    (v) => (v === '' ? undefined : v),
    z
      .string()
      .regex(/^[^\s,]+:\d+(,[^\s,]+:\d+)*$/, 'expected host:port[,host:port…]')
      .transform((v) => v.split(','))
      .optional(),
  ),
  /**
   * TLS to the brokers; the CA is VIGIE_CLOUD_CA_FILE when set, else the system's roots. Unset: on,
   * unless every broker is this machine (loopback). `false` with any other broker is refused
   * (CONFIG_INVALID when the telemetry service starts; the safety core does not read it).
   */
  KAFKA_SSL: envBoolean.optional(),
  /** SASL mechanism (SCRAM-SHA-512 recommended), with KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD; unset: no SASL. */
  KAFKA_SASL_MECHANISM: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('vigie-box'),
});

export type BoxEnv = Readonly<z.output<typeof BoxEnvSchema>>;

/** Validate the box's environment once; every problem is reported at once. */
export function loadBoxEnv(env: Record<string, string | undefined> = process.env): BoxEnv {
  return loadConfig(BoxEnvSchema, env, 'box configuration');
}
