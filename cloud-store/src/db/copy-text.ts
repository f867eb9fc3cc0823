/**
 * PostgreSQL's COPY text format, shared by both adapters' `copyIn`: one line per row, columns
 * separated by tabs, `\N` for NULL, and backslash, tab, newline and carriage return escaped, so a
 * value can never split a row or a column whatever it holds.
 */

/** A value COPY can load: text, a finite number, a boolean, or NULL. Pass times as ISO strings. */
export type CopyValue = string | number | boolean | null;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** `COPY table (a, b) FROM <source>`, refusing any name that is not a plain lower-case identifier. */
export function copyStatement(table: string, columns: readonly string[], source: string): string {
  for (const name of [table, ...columns]) {
    if (!IDENTIFIER.test(name)) throw new Error(`copyIn: "${name}" is not a plain identifier`);
  }
  if (columns.length === 0) throw new Error('copyIn: no columns');
  return `COPY ${table} (${columns.join(', ')}) FROM ${source}`;
}

const SPECIAL = /[\\\t\n\r]/;

function field(value: CopyValue): string {
  if (typeof value === 'string') {
    return SPECIAL.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`copyIn: ${value} is not a finite number`);
    return String(value);
  }
  if (value === null) return '\\N';
  return value ? 't' : 'f';
}

const TWO = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY_MS = 86_400_000;
let cachedDay = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()` for COPY, several times faster: readings come in runs of the same
 * day, whose `YYYY-MM-DDT` prefix is kept; the time of day is built from lookup tables.
 */
export function isoTimestamp(ms: number): string {
  if (!Number.isSafeInteger(ms)) return new Date(ms).toISOString();
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    cachedDay = day;
    cachedPrefix = iso.slice(0, iso.indexOf('T') + 1);
  }
  const inDay = ms - day * DAY_MS;
  const s = Math.floor(inDay / 1_000);
  return `${cachedPrefix}${TWO[Math.floor(s / 3_600)]}:${TWO[Math.floor(s / 60) % 60]}:${TWO[s % 60]}.${THREE[inDay % 1_000]}Z`;
}

/**
 * The rows as COPY text, in pieces of `rowsPerPiece` rows (streamed to the server one by one).
 * Every row is encoded before the first byte is sent: a bad value fails here, never halfway
 * through a COPY that the connection would then have to abandon.
 */
export function copyText(rows: Iterable<readonly CopyValue[]>, width: number, rowsPerPiece = 2_000): string[] {
  const pieces: string[] = [];
  let piece = '';
  let count = 0;
  for (const row of rows) {
    if (row.length !== width) throw new Error(`copyIn: a row has ${row.length} values for ${width} columns`);
    let line = field(row[0]!);
    for (let i = 1; i < width; i++) line += `\t${field(row[i]!)}`;
    piece += `${line}\n`;
    if (++count === rowsPerPiece) {
      pieces.push(piece);
      piece = '';
      count = 0;
    }
  }
  if (piece) pieces.push(piece);
  return pieces;
}
