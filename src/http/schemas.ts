/**
 * Schemas several route modules share, and the request-schema vocabulary:
 * `OneOf` (a string that is one of a list) and `Bounded` (an integer in a
 * range) carry the error code, and where needed the message, that a request
 * failing them gets, so a route's schema alone validates it and the error
 * body names the problem as the services always did (`schemaError`, asked by
 * the error handler). A service keeps only the checks a schema cannot make.
 */
import { Type, type TSchema } from '@fastify/type-provider-typebox';

export const Message = Type.Object({ message: Type.String() });
const ErrorBody = Type.Object({
  detail: Type.String(),
  code: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Record(Type.String(), Type.String())),
});
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** Standard error responses for a route's schema. */
export function errors(...codes: number[]) {
  return Object.fromEntries(codes.map((c) => [c, ErrorBody]));
}

/** The schema keywords that carry a failing request's error (ajv must know them: server/app.ts). */
const ERROR_CODE_KEYWORD = 'x-error-code';
const ERROR_MESSAGE_KEYWORD = 'x-error-message';
export const ERROR_KEYWORDS = [ERROR_CODE_KEYWORD, ERROR_MESSAGE_KEYWORD];

interface SchemaErrorOptions {
  description?: string;
  /** the code of a request that fails this schema (e.g. bad_status); without one, `validation_error` */
  error?: string;
  /**
   * The whole message instead of the generated one ("<field> must be one of
   * ..., got \"x\""): one for every failure, or one per failing keyword
   * (`minimum`, `maximum`, `type`, ...) with `default` for the others.
   * `{value}` stands for the value sent.
   */
  message?: string | Record<string, string>;
  /** an empty string passes too (a client's `?sort=`), meaning the default */
  allowEmpty?: boolean;
}

const errorKeywords = (o: SchemaErrorOptions) => ({
  ...(o.error ? { [ERROR_CODE_KEYWORD]: o.error } : {}),
  ...(o.message ? { [ERROR_MESSAGE_KEYWORD]: o.message } : {}),
});

/**
 * A string that is one of `values`: `{ type: 'string', enum }` in the OpenAPI
 * document (3.0, where openapi-typescript makes it a union), the union as its
 * static type. Not a Type.Union of literals: the response serializer would
 * then have to match a branch (anyOf) for every object it writes.
 */
export const OneOf = <T extends string>(values: readonly T[], opts: SchemaErrorOptions | string = {}) => {
  const o = typeof opts === 'string' ? { description: opts } : opts;
  return Type.Unsafe<T>({
    type: 'string',
    enum: o.allowEmpty ? [...values, ''] : [...values],
    ...(o.description ? { description: o.description } : {}),
    ...errorKeywords(o),
  });
};

/** An integer from `minimum` to `maximum` (either may be absent), with the error a request outside gets. */
export const Bounded = (range: { minimum?: number; maximum?: number; default?: number }, opts: SchemaErrorOptions = {}) =>
  Type.Integer({ ...range, ...(opts.description ? { description: opts.description } : {}), ...errorKeywords(opts) });

/** One failure of a request schema, as ajv (verbose) reports it. */
export interface SchemaFailure {
  keyword: string;
  instancePath: string;
  message?: string;
  data?: unknown;
  parentSchema?: TSchema | Record<string, unknown>;
}

/**
 * The 400 body of a request whose schema carries its error (`OneOf`,
 * `Bounded` with `error`): the code, and the message a person reads. Null
 * when the failing schema names no code (the error handler's generic
 * `validation_error` then).
 */
export function schemaError(v: SchemaFailure | undefined): { detail: string; code: string } | null {
  const schema = v?.parentSchema as Record<string, unknown> | undefined;
  const code = schema?.[ERROR_CODE_KEYWORD];
  if (!v || typeof code !== 'string') return null;
  const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const given = typeof v.data === 'string' || typeof v.data === 'number' ? String(v.data) : JSON.stringify(v.data);
  const messages = schema?.[ERROR_MESSAGE_KEYWORD] as string | Record<string, string> | undefined;
  const fixed = typeof messages === 'string' ? messages : (messages?.[v.keyword] ?? messages?.default);
  if (fixed) return { detail: fixed.replace('{value}', given), code };
  if (Array.isArray(schema?.enum)) {
    const choices = (schema.enum as unknown[]).filter((c) => c !== '').map(String);
    return { detail: `${field} must be one of ${choices.join(', ')}, got "${given}"`, code };
  }
  return { detail: `${field} ${v.message ?? 'is invalid'}`, code };
}
