import { z } from '@hono/zod-openapi';
import { ValidationError, actingUserKey, zodDetails } from '@waddlebot/core';
import type { Context } from 'hono';

export const IdParam = z
  .string()
  .regex(/^\d{1,9}$/, 'must be a positive integer id')
  .transform(Number)
  .pipe(z.number().int().positive());

/** An id in a JSON body: a number or its decimal string. */
export const BodyId = z
  .union([
    z.number().int().positive().max(2_147_483_647),
    z.string().regex(/^\d{1,9}$/, 'must be a positive integer id'),
  ])
  .transform(Number);

/** Community ids are decimal on the wire (core-and-admin §0.4); stored as their decimal string. */
export const CommunityScope = z
  .union([
    z.number().int().positive(),
    z
      .string()
      .trim()
      .regex(/^\d{1,18}$/, 'must be a decimal community id'),
  ])
  .transform((v) => String(BigInt(v)));

export const IsoInstant = z.iso
  .datetime({ offset: true, error: 'must be an ISO-8601 date-time' })
  .transform((v) => new Date(v));

export const envelope = <T extends z.ZodType>(data: T) => z.object({ success: z.literal(true), data });
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
/** Bodies that are one object or an array of them (bulk): validated item by item in the handler. */
export const ObjectOrArray = z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]);

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

export function parseItem<S extends z.ZodType>(schema: S, raw: unknown): Parsed<z.output<S>> {
  const res = schema.safeParse(raw);
  return res.success
    ? { ok: true, value: res.data }
    : { ok: false, error: new ValidationError('Validation failed', zodDetails(res.error.issues)) };
}

/** A bulk array's size against the configured cap (BULK_OPERATION_SIZE). */
export function assertBulkSize(items: unknown[], max: number) {
  if (items.length === 0)
    throw new ValidationError('Validation failed', [{ path: '', message: 'at least one item is required' }]);
  if (items.length > max)
    throw new ValidationError(`Bulk operations take at most ${max} items`, [
      { path: '', message: `at most ${max} items` },
    ]);
}

/** A failed item's message for a bulk summary: the safe message plus its field details. */
export function bulkErrorMessage(
  err: ValidationError | { message: string; details?: { path: string; message: string }[] },
) {
  const details = err.details?.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join('; ');
  return details && err.message === 'Validation failed' ? details : err.message;
}

/** A bulk call's answer: each item's result, in order, and how many succeeded and failed. */
export function bulkSummary<R extends { success: boolean }>(results: R[]) {
  const successful = results.filter((r) => r.success).length;
  return { results, summary: { total: results.length, successful, failed: results.length - successful } };
}

/** The acting user of a write (core-and-admin §0.3); a write nobody is named for is a 400. */
export function requiredActor(c: Context, claimed: string | undefined, field: string): string {
  const actor = actingUserKey(c, claimed);
  if (!actor) throw new ValidationError('Validation failed', [{ path: field, message: 'Required' }]);
  return actor;
}
