/** Transport error codes of contracts §5. */
export type ErrorCode =
  | 'VALIDATION_ERROR'
  | 'LOOP_DETECTED'
  | 'AUTH_REQUIRED'
  | 'INVALID_API_KEY'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'RATE_LIMITED'
  | 'INTERNAL_ERROR'
  | 'UPSTREAM_ERROR'
  | 'SERVICE_UNAVAILABLE'
  | 'SUBSCRIPTION_REQUIRED'
  | 'LIMIT_REACHED';

const STATUS: Record<ErrorCode, number> = {
  VALIDATION_ERROR: 400,
  LOOP_DETECTED: 400,
  LIMIT_REACHED: 400,
  AUTH_REQUIRED: 401,
  INVALID_API_KEY: 401,
  SUBSCRIPTION_REQUIRED: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  UPSTREAM_ERROR: 502,
  SERVICE_UNAVAILABLE: 503,
};

export interface ErrorDetail {
  path: string;
  message: string;
}

/** A typed error the error handler maps to the envelope; its message is safe to show. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = STATUS[code];
  }
}

export class ValidationError extends AppError {
  constructor(message = 'Validation failed', details?: ErrorDetail[]) {
    super('VALIDATION_ERROR', message, details);
  }
}
export class AuthRequiredError extends AppError {
  constructor(message = 'Authentication required') {
    super('AUTH_REQUIRED', message);
  }
}
export class InvalidApiKeyError extends AppError {
  constructor(message = 'Invalid credentials') {
    super('INVALID_API_KEY', message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'Forbidden') {
    super('FORBIDDEN', message);
  }
}
export class NotFoundError extends AppError {
  constructor(message = 'Not found') {
    super('NOT_FOUND', message);
  }
}
export class ConflictError extends AppError {
  constructor(message = 'Conflict') {
    super('CONFLICT', message);
  }
}
export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number, message = 'Rate limit exceeded') {
    super('RATE_LIMITED', message, undefined, Math.max(1, Math.ceil(retryAfterSeconds)));
  }
}
export class UpstreamError extends AppError {
  constructor(message = 'Upstream service failed') {
    super('UPSTREAM_ERROR', message);
  }
}
export class ServiceUnavailableError extends AppError {
  constructor(message = 'Service unavailable') {
    super('SERVICE_UNAVAILABLE', message, undefined, 5);
  }
}

/** Turns a zod error into `details: [{path, message}]` with dotted paths (`events.2.server_id`). */
export function zodDetails(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): ErrorDetail[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/** True for errors meaning our own Postgres or Redis cannot be reached (→ 503). */
export function isDependencyDown(err: unknown): boolean {
  const e = err as { code?: string; name?: string; message?: string } | null;
  if (!e) return false;
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ENOTFOUND',
      '57P01',
      '57P03',
      '08006',
      '08001',
      '08003',
    ].includes(e.code ?? '')
  )
    return true;
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|connect ECONNREFUSED|Connection terminated/i.test(e.message ?? '')
  );
}
export class PayloadTooLargeError extends AppError {
  constructor(maxBytes: number) {
    super('PAYLOAD_TOO_LARGE', `Payload exceeds ${maxBytes} bytes`);
  }
}
