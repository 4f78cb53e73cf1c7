import type { Context } from 'hono';
import {
  ConflictError,
  EntityIdSchema,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  actingUser,
  ok,
  parseEntityId,
  z,
  type App,
  type ServiceDeps,
  restRoute,
} from '@waddlebot/core';
import { isManager } from '../chat-commands.js';
import { MEMORY_TYPES, RECURRING_PATTERNS } from '../db.js';
import { MemoryInputError } from '../memory-fields.js';
import {
  addMemory,
  deactivateMemory,
  editMemory,
  findMemory,
  queryMemories,
  randomMemory,
  useMemory,
  type Memory,
  type MemoryDeps,
} from '../memory-store.js';
import { addDelay, delayInRange, parseDelay } from '../reminder-delay.js';
import {
  ReminderError,
  createReminder,
  deactivateReminder,
  listReminders,
  type ReminderDeps,
} from '../reminders.js';

const CommunityParam = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a decimal community id')
  .transform((v) => String(Number(v)));
const IdParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const CommunityPath = z.object({ community_id: CommunityParam });
const ItemPath = z.object({ community_id: CommunityParam, id: IdParam });

/** Field problems from the domain become 400 with the field named. */
async function fieldChecked<T>(work: () => Promise<T>, path: string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MemoryInputError)
      throw new ValidationError(err.message, [{ path, message: err.message }]);
    if (err instanceof ReminderError) {
      if (err.kind === 'limit') throw new ConflictError(err.message);
      throw new ValidationError(err.message, [{ path, message: err.message }]);
    }
    throw err;
  }
}

const CreateMemory = z.object({
  memory_type: z.enum(MEMORY_TYPES),
  title: z.string().max(255).optional(),
  content: z.string().max(2000).optional(),
  url: z.string().max(2000).optional(),
  author: z.string().max(255).optional(),
  context: z.string().max(2000).optional(),
  tags: z.array(z.string()).max(10).optional(),
  entity_id: EntityIdSchema.optional(),
});

const PatchMemory = z
  .object({
    title: z.string().max(255).optional(),
    content: z.string().max(2000).optional(),
    author: z.string().max(255).nullable().optional(),
    url: z.string().max(2000).nullable().optional(),
    tags: z.array(z.string()).max(10).optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { message: 'Nothing to change' });

const ListQuery = z.object({
  type: z.enum(MEMORY_TYPES).optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const CreateReminder = z
  .object({
    user_id: z.string().min(1).max(200),
    user_name: z.string().min(1).max(255),
    entity_id: EntityIdSchema,
    reminder_text: z.string().min(1).max(500),
    remind_in: z.string().max(50).optional(),
    remind_at: z.iso.datetime({ offset: true }).optional(),
    recurring_pattern: z.enum(RECURRING_PATTERNS).optional(),
    recurring_end: z.iso.datetime({ offset: true }).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.remind_in === undefined) === (v.remind_at === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['remind_in'],
        message: 'give exactly one of remind_in or remind_at',
      });
    if (v.recurring_end && !v.recurring_pattern)
      ctx.addIssue({ code: 'custom', path: ['recurring_end'], message: 'needs recurring_pattern' });
    const parsed = parseEntityId(v.entity_id);
    if (parsed && parsed.platform !== 'twitch' && !parsed.channel_id)
      ctx.addIssue({ code: 'custom', path: ['entity_id'], message: 'must name a channel' });
  });

function publicMemory(m: Memory) {
  return { ...m, id: Number(m.id) };
}

export function mountMemoriesRestRoutes(app: App, deps: ServiceDeps, domain: MemoryDeps & ReminderDeps) {
  const auth = deps.auth.require('service');
  const base = '/api/v1/memories/{community_id}';

  /** Creator or manager, from the trusted acting-user headers. */
  function mayChange(c: Context, memory: Memory): boolean {
    const user = actingUser(c);
    return (user.id !== null && user.id === memory.created_by) || isManager(user.role, user.labels);
  }

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: base,
      summary: 'List or search memories',
      params: CommunityPath,
      query: ListQuery,
    },
    async (c, { params: { community_id }, query: q }) => {
      const res = await queryMemories(domain, community_id, { type: q.type, term: q.q, limit: q.limit });
      return ok(c, { memories: res.memories.map(publicMemory), total: res.total });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: base,
      summary: 'Add a memory',
      params: CommunityPath,
      body: CreateMemory,
      status: 201,
    },
    async (c, { params: { community_id }, body }) => {
      const user = actingUser(c);
      if (!isManager(user.role, user.labels))
        throw new ForbiddenError('The memories label or moderator rights are needed');
      if (!user.id)
        throw new ValidationError('X-WaddleBot-User-Id is required', [
          { path: 'X-WaddleBot-User-Id', message: 'Required' },
        ]);
      if (body.memory_type !== 'url' && !body.content?.trim())
        throw new ValidationError('Validation failed', [{ path: 'content', message: 'Required' }]);
      const createdBy = user.id;
      const memory = await fieldChecked(
        () =>
          addMemory(domain, {
            communityId: community_id,
            entityId: body.entity_id ?? null,
            type: body.memory_type,
            title: body.title,
            content: body.content,
            url: body.url,
            author: body.author,
            context: body.context,
            tags: body.tags,
            createdBy,
            createdByName: user.name,
          }),
        'content',
      );
      deps.logger.audit({
        action: 'memory_add',
        community: community_id,
        user: user.id,
        result: 'SUCCESS',
        memory_id: memory.id,
      });
      return ok(c, publicMemory(memory), 201);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/random`,
      summary: 'A random memory',
      params: CommunityPath,
      query: z.object({ type: z.enum(MEMORY_TYPES).default('quote') }),
    },
    async (c, { params: { community_id }, query: { type } }) => {
      const memory = await randomMemory(domain, community_id, type);
      if (!memory) throw new NotFoundError(`No ${type}s yet`);
      return ok(c, publicMemory(await useMemory(domain, memory)));
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/reminders`,
      summary: 'Active reminders',
      params: CommunityPath,
      query: z.object({ user_id: z.string().min(1).max(200).optional() }),
    },
    async (c, { params: { community_id }, query: { user_id } }) => {
      const rows = await listReminders(domain, community_id, user_id);
      return ok(c, { reminders: rows.map((r) => ({ ...r, id: Number(r.id) })) });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${base}/reminders`,
      summary: 'Set a reminder',
      params: CommunityPath,
      body: CreateReminder,
      status: 201,
    },
    async (c, { params: { community_id }, body }) => {
      const now = deps.clock.now();
      let remindAt: Date;
      if (body.remind_in !== undefined) {
        const delay = parseDelay(body.remind_in);
        if (!delay)
          throw new ValidationError("Couldn't read that time", [
            { path: 'remind_in', message: 'try 30 minutes, 2 hours, 1d or 3w' },
          ]);
        remindAt = addDelay(now, delay);
        if (!delayInRange(now, remindAt))
          throw new ValidationError('Out of range', [
            { path: 'remind_in', message: 'must be between 1 minute and 365 days' },
          ]);
      } else {
        remindAt = new Date(body.remind_at!);
        if (remindAt.getTime() <= now.getTime())
          throw new ValidationError('Validation failed', [
            { path: 'remind_at', message: 'must be in the future' },
          ]);
      }
      const row = await fieldChecked(
        () =>
          createReminder(domain, {
            communityId: community_id,
            entityId: body.entity_id,
            userId: body.user_id,
            userName: body.user_name,
            text: body.reminder_text,
            remindAt,
            recurringPattern: body.recurring_pattern,
            recurringEnd: body.recurring_end ? new Date(body.recurring_end) : undefined,
          }),
        'reminder_text',
      );
      deps.logger.audit({
        action: 'reminder_create',
        community: community_id,
        user: body.user_id,
        result: 'SUCCESS',
        reminder_id: row.id,
      });
      return ok(c, { ...row, id: Number(row.id) }, 201);
    },
  );

  restRoute(
    app,
    auth,
    { method: 'delete', path: `${base}/reminders/{id}`, summary: 'Cancel a reminder', params: ItemPath },
    async (c, { params: { community_id, id } }) => {
      if (!(await deactivateReminder(domain, community_id, id)))
        throw new NotFoundError('Reminder not found');
      return ok(c, { id, is_active: false });
    },
  );

  restRoute(
    app,
    auth,
    { method: 'get', path: `${base}/{id}`, summary: 'One memory', params: ItemPath },
    async (c, { params: { community_id, id } }) => {
      const memory = await findMemory(domain, community_id, id);
      if (!memory) throw new NotFoundError('Memory not found');
      return ok(c, publicMemory(memory));
    },
  );

  restRoute(
    app,
    auth,
    { method: 'patch', path: `${base}/{id}`, summary: 'Edit a memory', params: ItemPath, body: PatchMemory },
    async (c, { params: { community_id, id }, body }) => {
      const memory = await findMemory(domain, community_id, id);
      if (!memory) throw new NotFoundError('Memory not found');
      if (!mayChange(c, memory))
        throw new ForbiddenError('Only the creator or a memories manager can edit this');
      const updated = await fieldChecked(() => editMemory(domain, memory, body), 'body');
      return ok(c, publicMemory(updated));
    },
  );

  restRoute(
    app,
    auth,
    { method: 'delete', path: `${base}/{id}`, summary: 'Delete a memory (soft)', params: ItemPath },
    async (c, { params: { community_id, id } }) => {
      const memory = await findMemory(domain, community_id, id);
      if (!memory) throw new NotFoundError('Memory not found');
      if (!mayChange(c, memory))
        throw new ForbiddenError('Only the creator or a memories manager can delete this');
      await deactivateMemory(domain, memory);
      deps.logger.audit({
        action: 'memory_delete',
        community: community_id,
        user: actingUser(c).id ?? undefined,
        result: 'SUCCESS',
        memory_id: id,
      });
      return ok(c, { id, is_active: false });
    },
  );
}
