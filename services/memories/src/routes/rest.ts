import type { Context } from 'hono';
import {
  ChannelEntityIdSchema,
  CommunityPath,
  CommunityRowPath,
  EntityIdSchema,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  hasRole,
  ok,
  restActor,
  restErrorFor,
  restRoute,
  z,
  type App,
  type ServiceDeps,
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
  findReminder,
  listReminders,
  type Reminder,
  type ReminderDeps,
} from '../reminders.js';

/** Domain refusals become the contracts §5 envelope with the field named. */
async function restChecked<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof MemoryInputError) throw restErrorFor('VALIDATION', err.message, err.field);
    if (err instanceof ReminderError)
      throw restErrorFor(err.kind === 'limit' ? 'CONFLICT' : 'VALIDATION', err.message, err.field);
    throw err;
  }
}

/** Tags as a list, or as the comma list chat takes. */
const Tags = z.union([z.array(z.string().max(100)).max(50), z.string().max(2000)]);

const CreateMemory = z.object({
  memory_type: z.enum(MEMORY_TYPES),
  title: z.string().max(255).optional(),
  content: z.string().max(2000).optional(),
  url: z.string().max(2000).optional(),
  author: z.string().max(255).optional(),
  context: z.string().max(2000).optional(),
  tags: Tags.optional(),
  entity_id: EntityIdSchema.optional(),
});

const PatchMemory = z
  .object({
    title: z.string().max(255).optional(),
    content: z.string().max(2000).optional(),
    author: z.string().max(255).nullable().optional(),
    url: z.string().max(2000).nullable().optional(),
    tags: Tags.optional(),
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
    entity_id: ChannelEntityIdSchema,
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
  });

/** When a reminder is due: a delay the way chat reads it, or an absolute time in the future. */
function remindAtOf(body: z.output<typeof CreateReminder>, now: Date): Date {
  if (body.remind_in === undefined) {
    const at = new Date(body.remind_at!);
    if (at.getTime() <= now.getTime())
      throw new ValidationError('Validation failed', [
        { path: 'remind_at', message: 'must be in the future' },
      ]);
    return at;
  }
  const delay = parseDelay(body.remind_in);
  if (!delay)
    throw new ValidationError("Couldn't read that time", [
      { path: 'remind_in', message: 'try 30 minutes, 2 hours, 1d or 3w' },
    ]);
  const at = addDelay(now, delay);
  if (!delayInRange(now, at))
    throw new ValidationError('Out of range', [
      { path: 'remind_in', message: 'must be between 1 minute and 365 days' },
    ]);
  return at;
}

const publicMemory = (m: Memory) => ({ ...m, id: Number(m.id) });
const publicReminder = (r: Reminder) => ({ ...r, id: Number(r.id) });

/** A member acts on their own reminders only; moderators, and the service itself, on anyone's. */
function assertOwnReminders(c: Context, userId: string | undefined) {
  const actor = restActor(c);
  if (hasRole(actor.role, 'moderator') || actor.key === userId) return;
  throw new ForbiddenError("Only moderators can see or change another user's reminders");
}

export function mountMemoriesRestRoutes(app: App, deps: ServiceDeps, domain: MemoryDeps & ReminderDeps) {
  const auth = deps.auth.require('service');
  const base = '/api/v1/memories/{community_id}';

  async function changeableMemory(c: Context, communityId: string, id: number, action: string) {
    const memory = await findMemory(domain, communityId, id);
    if (!memory) throw new NotFoundError('Memory not found');
    const actor = restActor(c);
    if (actor.key !== memory.created_by && !isManager(actor.role, actor.labels))
      throw new ForbiddenError(`Only the creator or a memories manager can ${action} this`);
    return { memory, actor };
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
      const user = restActor(c);
      if (!isManager(user.role, user.labels))
        throw new ForbiddenError('The memories label or moderator rights are needed');
      if (body.memory_type !== 'url' && !body.content?.trim())
        throw new ValidationError('Validation failed', [{ path: 'content', message: 'Required' }]);
      const memory = await restChecked(() =>
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
          createdBy: user.key,
          createdByName: user.name,
        }),
      );
      deps.logger.audit({
        action: 'memory_add',
        community: community_id,
        user: user.key,
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
      assertOwnReminders(c, user_id);
      const rows = await listReminders(domain, community_id, user_id);
      return ok(c, { reminders: rows.map(publicReminder) });
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
      assertOwnReminders(c, body.user_id);
      const remindAt = remindAtOf(body, deps.clock.now());
      const row = await restChecked(() =>
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
      );
      deps.logger.audit({
        action: 'reminder_create',
        community: community_id,
        user: body.user_id,
        result: 'SUCCESS',
        reminder_id: row.id,
      });
      return ok(c, publicReminder(row), 201);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'delete',
      path: `${base}/reminders/{id}`,
      summary: 'Cancel a reminder',
      params: CommunityRowPath,
    },
    async (c, { params: { community_id, id } }) => {
      const reminder = await findReminder(domain, community_id, id);
      if (!reminder) throw new NotFoundError('Reminder not found');
      assertOwnReminders(c, reminder.user_id);
      await deactivateReminder(domain, reminder);
      return ok(c, { id, is_active: false });
    },
  );

  restRoute(
    app,
    auth,
    { method: 'get', path: `${base}/{id}`, summary: 'One memory', params: CommunityRowPath },
    async (c, { params: { community_id, id } }) => {
      const memory = await findMemory(domain, community_id, id);
      if (!memory) throw new NotFoundError('Memory not found');
      return ok(c, publicMemory(memory));
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'patch',
      path: `${base}/{id}`,
      summary: 'Edit a memory',
      params: CommunityRowPath,
      body: PatchMemory,
    },
    async (c, { params: { community_id, id }, body }) => {
      const { memory } = await changeableMemory(c, community_id, id, 'edit');
      const updated = await restChecked(() => editMemory(domain, memory, body));
      return ok(c, publicMemory(updated));
    },
  );

  restRoute(
    app,
    auth,
    { method: 'delete', path: `${base}/{id}`, summary: 'Delete a memory (soft)', params: CommunityRowPath },
    async (c, { params: { community_id, id } }) => {
      const { memory, actor } = await changeableMemory(c, community_id, id, 'delete');
      await deactivateMemory(domain, memory);
      deps.logger.audit({
        action: 'memory_delete',
        community: community_id,
        user: actor.key,
        result: 'SUCCESS',
        memory_id: id,
      });
      return ok(c, { id, is_active: false });
    },
  );
}
