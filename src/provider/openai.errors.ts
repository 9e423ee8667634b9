/** OpenAI's error body, `{"error": {"message", "type", "param", "code"}}`, for every answer under /v1. */

/** Which request parameter an error is about, for OpenAI's `param`. */
function paramOf(message: string): string | null {
  const m = /^(file|model|language|prompt|response_format|temperature|stream|timestamp_granularities\[\])\b/.exec(message);
  return m ? m[1] : null;
}

export function openAiError(status: number, message: string, code: string | null, over: { type?: string; param?: string | null } = {}) {
  const type = over.type ?? (status === 401 ? 'authentication_error' : status === 404 ? 'not_found_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error');
  return { error: { message, type, param: over.param !== undefined ? over.param : paramOf(message), code } };
}

