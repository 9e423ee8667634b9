// The one HTTP client of the UI: openapi-fetch typed by the server's OpenAPI
// document (schema.d.ts is generated, see web/README.md). It adds the API key
// to every request and turns a 401 into a login prompt.
import createClient from 'openapi-fetch';
import type { paths } from './schema';
import { auth } from '../lib/auth';

export const api = createClient<paths>({ baseUrl: '' });

api.use({
  onRequest({ request }) {
    const key = auth.getKey();
    if (key) request.headers.set('X-Api-Key', key);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) auth.requireLogin();
    return response;
  },
});

/** An API answer that was not 2xx: `{detail, errors?}` per the contract. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Per-field messages of a 400, keyed by setting key / field name. */
    readonly errors: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function detailOf(body: unknown, status: number): ApiError {
  if (body && typeof body === 'object') {
    const b = body as { detail?: unknown; message?: unknown; errors?: unknown };
    const msg =
      typeof b.detail === 'string'
        ? b.detail
        : typeof b.message === 'string'
          ? b.message
          : Array.isArray(b.detail)
            ? b.detail.map((d) => (d && typeof d === 'object' && 'msg' in d ? String(d.msg) : String(d))).join('; ')
            : `Request failed (${status})`;
    const errors: Record<string, string> = {};
    if (b.errors && typeof b.errors === 'object' && !Array.isArray(b.errors)) {
      for (const [k, v] of Object.entries(b.errors as Record<string, unknown>)) errors[k] = String(v);
    }
    return new ApiError(status, msg, errors);
  }
  if (typeof body === 'string' && body) return new ApiError(status, body);
  return new ApiError(status, `Request failed (${status})`);
}

/**
 * Unwraps an openapi-fetch result: the data on success, an ApiError otherwise.
 *
 *     const jobs = await unwrap(api.GET('/api/jobs', { params: { query: { page: 1 } } }));
 */
export async function unwrap<R extends { data?: unknown; error?: unknown; response: Response }>(
  p: Promise<R>,
): Promise<NonNullable<R['data']>> {
  let res: R;
  try {
    res = await p;
  } catch (e) {
    throw new ApiError(0, e instanceof Error ? `Network error: ${e.message}` : 'Network error');
  }
  if (!res.response.ok) throw detailOf(res.error, res.response.status);
  return res.data as NonNullable<R['data']>;
}

/** A human message for anything thrown by a request. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
