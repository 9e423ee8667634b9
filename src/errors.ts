/**
 * The one error type of the project. Anything thrown with a status below 500
 * reaches the client as `{"detail": message}` with that status; `errors`
 * carries per-field messages (settings validation) when there are several.
 * The code comes from the registry (error-codes.ts), which says whether a job
 * that failed with it is retried and what status it gives at the edge.
 */
import { ERROR_CODES, type ErrorCode } from './error-codes.js';

export type { ErrorCode } from './error-codes.js';

export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: ErrorCode,
    message: string,
    public readonly errors?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** An AppError with the registry's status for its code. */
export const appError = (code: ErrorCode, message: string) => new AppError(ERROR_CODES[code].status, code, message);

export const notFound = (what: string) => new AppError(404, 'not_found', `${what} not found`);
export const badRequest = (message: string, code: ErrorCode = 'bad_request') => new AppError(400, code, message);
export const conflict = (message: string, code: ErrorCode = 'conflict') => new AppError(409, code, message);
