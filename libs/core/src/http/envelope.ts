import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode, ErrorDetail } from './errors.js';

export interface PageMeta {
  page: number;
  per_page: number;
  total: number;
  total_pages: number;
  has_next: boolean;
  has_prev: boolean;
}

export function pageMeta(page: number, perPage: number, total: number): PageMeta {
  const totalPages = Math.max(1, Math.ceil(total / perPage));
  return {
    page,
    per_page: perPage,
    total,
    total_pages: totalPages,
    has_next: page < totalPages,
    has_prev: page > 1,
  };
}

/** `{success:true, data, meta?}` (contracts §5). */
export function ok<T>(c: Context, data: T, status: ContentfulStatusCode = 200, meta?: PageMeta): Response {
  return c.json(meta ? { success: true as const, data, meta } : { success: true as const, data }, status);
}

export function errorBody(code: ErrorCode, message: string, requestId: string, details?: ErrorDetail[]) {
  return {
    success: false as const,
    error: { code, message, ...(details ? { details } : {}), request_id: requestId },
  };
}
