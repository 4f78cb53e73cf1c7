import { EntityIdSchema, NotFoundError, ValidationError, z } from '@waddlebot/core';
import { int4 } from './db-limits.js';
import { regexProblem } from './regex-safety.js';
import type { RouterContext } from './router-deps.js';
import { deactivateRow } from './soft-delete.js';

const httpUrl = z.url({ protocol: /^https?$/ });

const RuleFields = z.object({
  string: z.string().min(1).max(500),
  match_type: z.enum(['exact', 'contains', 'word', 'regex']),
  case_sensitive: z.boolean(),
  enabled_entity_ids: z.array(EntityIdSchema).max(1000),
  action: z.enum(['warn', 'block', 'command', 'webhook']),
  command_to_execute: z.string().min(1).max(64).nullish(),
  command_parameters: z.array(z.string().max(500)).max(50),
  webhook_url: httpUrl.nullish(),
  warning_message: z.string().max(500).nullish(),
  block_message: z.string().max(500).nullish(),
  priority: int4,
  created_by: z.string().max(256),
  is_active: z.boolean(),
});

export const RuleCreateSchema = RuleFields.extend({
  match_type: RuleFields.shape.match_type.default('exact'),
  case_sensitive: z.boolean().default(false),
  enabled_entity_ids: RuleFields.shape.enabled_entity_ids.default([]),
  command_parameters: RuleFields.shape.command_parameters.default([]),
  priority: int4.default(100),
  created_by: z.string().max(256).default('system'),
  is_active: z.boolean().default(true),
});
export const RuleUpdateSchema = RuleFields.partial();

type RuleShape = Partial<z.output<typeof RuleFields>>;

/** Cross-field checks of §3.9: command needs a name, webhook a URL, regex must be safe. */
function checkRule(rule: RuleShape) {
  const details: { path: string; message: string }[] = [];
  if (rule.action === 'command' && !rule.command_to_execute) {
    details.push({ path: 'command_to_execute', message: 'required when action is command' });
  }
  if (rule.action === 'webhook' && !rule.webhook_url) {
    details.push({ path: 'webhook_url', message: 'an http(s) URL is required when action is webhook' });
  }
  if (rule.match_type === 'regex' && rule.string && rule.string !== '*') {
    const problem = regexProblem(rule.string, rule.case_sensitive ? '' : 'i');
    if (problem) details.push({ path: 'string', message: problem });
  }
  if (details.length) throw new ValidationError('Validation failed', details);
}

function toColumns(rule: RuleShape) {
  const { enabled_entity_ids, command_parameters, ...rest } = rule;
  return {
    ...rest,
    ...(enabled_entity_ids !== undefined ? { enabled_entity_ids: JSON.stringify(enabled_entity_ids) } : {}),
    ...(command_parameters !== undefined ? { command_parameters: JSON.stringify(command_parameters) } : {}),
  };
}

async function clearRuleCaches(ctx: RouterContext) {
  // Global rules apply to every entity, so any change clears every entity's rule cache.
  await ctx.invalidate({ prefixes: ['stringrules:'] });
}

export async function createRule(ctx: RouterContext, input: z.output<typeof RuleCreateSchema>) {
  checkRule(input);
  const now = ctx.deps.clock.now();
  const row = await ctx.db
    .insertInto('stringmatch')
    .values({ ...toColumns(input), created_at: now, updated_at: now } as never)
    .returning('id')
    .executeTakeFirstOrThrow();
  await clearRuleCaches(ctx);
  return { rule_id: row.id };
}

export async function updateRule(ctx: RouterContext, id: number, patch: z.output<typeof RuleUpdateSchema>) {
  const current = await ctx.db.selectFrom('stringmatch').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) throw new NotFoundError('String rule not found');
  checkRule({
    ...current,
    enabled_entity_ids: undefined,
    command_parameters: undefined,
    ...patch,
  } as RuleShape);
  await ctx.db
    .updateTable('stringmatch')
    .set({ ...toColumns(patch), updated_at: ctx.deps.clock.now() } as never)
    .where('id', '=', id)
    .execute();
  await clearRuleCaches(ctx);
  return { rule_id: id };
}

export async function deactivateRule(ctx: RouterContext, id: number) {
  await deactivateRow(ctx, 'stringmatch', id, 'String rule');
  await clearRuleCaches(ctx);
  return { rule_id: id, is_active: false };
}

export async function listRules(ctx: RouterContext, entityId?: string) {
  const rows = await ctx.db.selectFrom('stringmatch').selectAll().orderBy('priority').orderBy('id').execute();
  if (!entityId) return rows;
  return rows.filter(
    (r) =>
      r.is_active &&
      (!Array.isArray(r.enabled_entity_ids) ||
        r.enabled_entity_ids.length === 0 ||
        r.enabled_entity_ids.includes(entityId)),
  );
}
