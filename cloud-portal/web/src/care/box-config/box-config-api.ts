/** Calls of the thresholds and contacts page (`/api/patients/:id/box-config`). */
import { ApiError, CSRF_HEADER } from '../../api/client.ts';
import type { BoxConfigSaved } from '../../api/types.ts';

export const configUrl = (patientId: string) => `/api/patients/${encodeURIComponent(patientId)}/box-config`;

/** A refused save: the API error and the field it names (a JSON pointer into the document). */
export class SaveRefused extends ApiError {
  readonly field: string | undefined;
  constructor(status: number, body: unknown) {
    super(status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not_found' : status === 429 ? 'rate_limited' : status >= 500 ? 'server' : 'bad_request', status, body);
    const error = (body as { error?: { field?: unknown } } | undefined)?.error;
    this.field = typeof error?.field === 'string' ? error.field : undefined;
  }
}

/** `PUT` the whole document (the API client only speaks GET and POST; this keeps its CSRF header and error shape). */
export async function saveConfig(patientId: string, body: object): Promise<BoxConfigSaved> {
  let response: Response;
  try {
    response = await fetch(configUrl(patientId), {
      method: 'PUT',
      headers: { accept: 'application/json', 'content-type': 'application/json', ...CSRF_HEADER },
      body: JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiError('network', 0, undefined, { cause: error });
  }
  const parsed: unknown = await response.json().catch(() => undefined);
  if (!response.ok) throw new SaveRefused(response.status, parsed);
  return parsed as BoxConfigSaved;
}

