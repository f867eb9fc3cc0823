import { loadConfig, portSchema, z } from '@vigie/common';

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
  /** GPIO for the box's buttons: `onoff` (a Pi), `simulated`, or `none` (no buttons). */
  VIGIE_GPIO: z.enum(['none', 'simulated', 'onoff']).default('none'),
  /** How often readings are forwarded to the cloud (design: 10 minutes). Alerts go at once regardless. */
  VIGIE_SYNC_INTERVAL_MS: z.coerce.number().int().min(100).default(600_000),
  VIGIE_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(1_000).default(300_000),
  /** Most readings per telemetry batch. */
  VIGIE_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(1_000),
});

export type BoxEnv = Readonly<z.output<typeof BoxEnvSchema>>;

/** Validate the box's environment once; every problem is reported at once. */
export function loadBoxEnv(env: Record<string, string | undefined> = process.env): BoxEnv {
  return loadConfig(BoxEnvSchema, env, 'box configuration');
}
