/**
 * PostgreSQL SQLSTATE classes 22 (data exception) and 23 (integrity constraint violation): the
 * same message would fail again, so it is a poison message to set aside, not an outage to retry.
 */
export function isDataRefusal(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}

/** The column PostgreSQL names in a data refusal, when it does. */
export function refusedColumn(err: unknown): string | null {
  const column = (err as { column?: unknown } | null)?.column;
  return typeof column === 'string' ? column : null;
}
