/**
 * The HTTP edge of the error model: one handler turns any error into `{error: {type, message, issues?}}`.
 * Engine errors (CinegraphError subclasses) know their status and body; body-parser errors are mapped by
 * their `type`; anything else is a 500 whose details stay in the server log.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { CinegraphError } from '../engine/index.js';
import type { ServerLogger } from './context.js';

/** The refused action conflicts with the current state. @example throw new ConflictError('run "x" already ended'); */
export class ConflictError extends CinegraphError {
  override readonly type = 'conflict';
  override readonly status = 409;
}

/** Understood but not allowed (deleting a shipped template, a path leaving the data folders). @example throw new ForbiddenError('...'); */
export class ForbiddenError extends CinegraphError {
  override readonly type = 'forbidden';
  override readonly status = 403;
}

/** The body is larger than the server accepts. @example throw new PayloadTooLargeError('over 64 MiB'); */
export class PayloadTooLargeError extends CinegraphError {
  override readonly type = 'payload_too_large';
  override readonly status = 413;
}

/** The body is of a kind the route does not take. @example throw new UnsupportedMediaTypeError('send raw bytes'); */
export class UnsupportedMediaTypeError extends CinegraphError {
  override readonly type = 'unsupported_media_type';
  override readonly status = 415;
}

/** The server is shutting down and takes no new work. @example throw new UnavailableError('shutting down'); */
export class UnavailableError extends CinegraphError {
  override readonly type = 'unavailable';
  override readonly status = 503;
}

/** The JSON error body every route answers with. */
export interface ErrorBody {
  error: { type: string; message: string; issues?: unknown[] };
}

/** body-parser's error `type`s, as the API names them. */
const BODY_PARSER_TYPES: Record<string, { status: number; type: string; message?: string }> = {
  'entity.parse.failed': { status: 400, type: 'invalid_json' },
  'entity.too.large': { status: 413, type: 'payload_too_large' },
  'encoding.unsupported': { status: 415, type: 'unsupported_media_type' },
  'charset.unsupported': { status: 415, type: 'unsupported_media_type' },
  'request.aborted': { status: 400, type: 'bad_request', message: 'the request was aborted by the client' },
  'request.size.invalid': { status: 400, type: 'bad_request', message: 'the request body is shorter or longer than its Content-Length' },
};

/**
 * Maps an error to its status and JSON body, never leaking a stack or an internal message.
 * @example const { status, body } = errorResponse(new NotFoundError('no run "x"')); // 404
 */
export function errorResponse(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  if (error instanceof CinegraphError) {
    const status = error.status >= 400 && error.status < 600 ? error.status : 500;
    if (status >= 500 && !(error instanceof UnavailableError)) return internalError();
    return { status, body: { error: error.toJSON() }, internal: false };
  }
  const e = error as { type?: unknown; status?: unknown; expose?: unknown; message?: unknown } | null;
  const known = typeof e?.type === 'string' ? BODY_PARSER_TYPES[e.type] : undefined;
  if (known) {
    const message =
      known.type === 'invalid_json'
        ? `the request body is not valid JSON: ${String(e?.message ?? '')}`
        : known.type === 'payload_too_large'
          ? 'the request body is larger than the server accepts'
          : (known.message ?? String(e?.message ?? known.type));
    return { status: known.status, body: { error: { type: known.type, message } }, internal: false };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose === true) {
    return { status: e.status, body: { error: { type: 'bad_request', message: String(e.message) } }, internal: false };
  }
  return internalError();
}

function internalError() {
  return { status: 500, body: { error: { type: 'internal', message: 'internal server error (see the server log)' } }, internal: true };
}

/**
 * The one error handler of the app.
 * @example app.use(errorHandler(logger));
 */
export function errorHandler(logger: ServerLogger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const { status, body, internal } = errorResponse(error);
    if (internal) logger.error(`${req.method} ${req.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // body-parser stopped reading an oversized body: the connection cannot carry another request.
    if (status === 413 && !(error instanceof PayloadTooLargeError)) res.setHeader('Connection', 'close');
    res.status(status).json(body);
  };
}

/**
 * Answers every request no route took with a JSON 404.
 * @example app.use(notFound);
 */
export const notFound: RequestHandler = (req, res) => {
  const body: ErrorBody = { error: { type: 'not_found', message: `no route ${req.method} ${req.originalUrl.split('?')[0]}` } };
  res.status(404).json(body);
};
