import { resolve } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import {
  AlertEvent,
  BatchReceipt,
  BoxCommand,
  BoxCommandList,
  BoxCommandResult,
  BoxConfig,
  BoxConfigDocument,
  BoxSigningKeyMessage,
  BraceletEvent,
  BraceletStatus,
  BusReading,
  ConfigApplied,
  Heartbeat,
  ModemStatus,
  Reading,
  ReportRequest,
  SCHEMA_VERSION,
  SelfTestStatus,
  ScreenNotice,
  ScreenNoticeState,
  TelemetryBatch,
  UplinkStatus,
} from './messages/index.ts';

/**
 * The generated JSON Schema files (`protocol/json-schema/<Name>.v<version>.schema.json`), for peers
 * that do not run TypeScript (a Kafka consumer in another language, a firmware test bench). The
 * TypeBox schemas are the source; `npm run gen:schemas` writes the files and
 * `json-schema.test.ts` fails when a committed file no longer matches.
 */

/** JSON Schema dialect of the generated files. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Where the generated files live. */
export const JSON_SCHEMA_DIR = resolve(import.meta.dirname, '..', 'json-schema');

/** Every message published as a JSON Schema file, by name. */
export const PUBLISHED_SCHEMAS: Readonly<Record<string, TSchema>> = {
  TelemetryBatch,
  BatchReceipt,
  AlertEvent,
  Heartbeat,
  BusReading,
  BraceletEvent,
  BraceletStatus,
  Reading,
  ModemStatus,
  UplinkStatus,
  SelfTestStatus,
  BoxConfig,
  BoxConfigDocument,
  BoxCommand,
  BoxCommandList,
  BoxCommandResult,
  ConfigApplied,
  ScreenNotice,
  ScreenNoticeState,
  BoxSigningKey: BoxSigningKeyMessage,
  ReportRequest,
};

/** File name of a message's schema at the current protocol version. */
export function jsonSchemaFileName(name: string): string {
  return `${name}.v${SCHEMA_VERSION}.schema.json`;
}

/** Keys that open an object, in this order; the rest follow sorted, so output never depends on TypeBox's key order. */
const FIRST_KEYS = ['$schema', '$id', 'title', 'description', 'type'];

function canonical(value: unknown, root: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => canonical(v, false));
  if (value === null || typeof value !== 'object') return value;
  // An embedded `$id` (Reading inside TelemetryBatch and BusReading) would make one validator that
  // loads every file refuse the second schema declaring it; each file stays self-contained instead.
  const entries = Object.entries(value as Record<string, unknown>).filter(([key]) => root || key !== '$id');
  const rank = (key: string) => {
    const i = FIRST_KEYS.indexOf(key);
    return i === -1 ? FIRST_KEYS.length : i;
  };
  entries.sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v, false)]));
}

/**
 * One schema as file text: the dialect added, `$id` set to the file name (so two versions of a
 * message can sit in one validator), TypeBox's symbol keys dropped, keys in stable order.
 */
export function renderJsonSchema(name: string, schema: TSchema): string {
  // A JSON round trip drops TypeBox's symbol-keyed metadata (`[Kind]`, `[Hint]`).
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  const document = { ...plain, $schema: JSON_SCHEMA_DIALECT, $id: jsonSchemaFileName(name) };
  return `${JSON.stringify(canonical(document, true), null, 2)}\n`;
}

/** Every published schema as file name → file text. */
export function renderJsonSchemas(): Map<string, string> {
  return new Map(Object.entries(PUBLISHED_SCHEMAS).map(([name, schema]) => [jsonSchemaFileName(name), renderJsonSchema(name, schema)]));
}
