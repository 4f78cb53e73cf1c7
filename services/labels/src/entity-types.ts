import { z } from '@hono/zod-openapi';

/** Entity types a label may be attached to; a label's `category` is one of them (core-and-admin §1). */
export const ENTITY_TYPES = [
  'user',
  'module',
  'community',
  'entityGroup',
  'item',
  'event',
  'memory',
  'playlist',
  'browser_source',
  'command',
  'alias',
] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const EntityTypeSchema = z.enum(ENTITY_TYPES, {
  error: `must be one of ${ENTITY_TYPES.join(', ')}`,
});

const LIMITS: Partial<Record<EntityType, number>> = { item: 10, memory: 10 };
const DEFAULT_LIMIT = 5;

/** Active labels one entity may hold (per community for users, §1 "Limits"). */
export function labelLimitOf(type: EntityType): number {
  return LIMITS[type] ?? DEFAULT_LIMIT;
}
