import type { FastifyError, FastifyInstance } from 'fastify';
import { redactUrl } from '../security/request-guard.js';
import { AppError } from '../errors.js';
import { knownError } from '../system/disk-full.js';
import { schemaError, type SchemaFailure } from '../http/schemas.js';

/**
 * One place turns errors into the contract's JSON (`{"detail": ...}`): our
 * AppError keeps its status, a full disk is a 507 naming the folder, schema
 * validation is a 400 naming the field, and anything unexpected is logged
 * with context and answered with a bare 500.
 */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (raw: FastifyError | AppError | Error, req, reply) => {
    const known = await knownError(raw, app.ctx);
    const err = known ?? raw;
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err, url: redactUrl(req.url) }, err.message);
      return reply.status(err.status).send({ detail: err.message, code: err.code, ...(err.errors ? { errors: err.errors } : {}) });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      const v = fe.validation[0];
      // A schema that carries its error (OneOf, Bounded): the code and message the services always gave.
      const own = schemaError(v as SchemaFailure);
      if (own) return reply.status(400).send(own);
      const where = fe.validationContext ?? 'request';
      const field = (v?.instancePath || '').replace(/^\//, '').replace(/\//g, '.') || (v?.params as { missingProperty?: string })?.missingProperty || '';
      // A choice (a union of literals, or an enum) names its choices, not "must be equal to constant".
      const choices = v?.keyword === 'enum'
        ? (v.params as { allowedValues: unknown[] }).allowedValues
        : fe.validation.filter((e) => e.keyword === 'const' && e.instancePath === v?.instancePath).map((e) => (e.params as { allowedValue: unknown }).allowedValue);
      const msg = v?.keyword === 'required'
        ? `${where}: ${(v.params as { missingProperty: string }).missingProperty} is required`
        : choices.length
          ? `${where}${field ? `.${field}` : ''} must be one of ${choices.map(String).join(', ')}`
          : `${where}${field ? `.${field}` : ''} ${v?.message ?? 'is invalid'}`;
      return reply.status(400).send({ detail: msg, code: 'validation_error' });
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ detail: fe.message, code: fe.code ?? 'bad_request' });
    }
    req.log.error({ err, url: redactUrl(req.url), method: req.method }, 'unhandled error');
    return reply.status(500).send({ detail: 'Internal server error', code: 'internal' });
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send({ detail: `Not Found: ${req.method} ${redactUrl(req.url)}`, code: 'not_found' }));
}
