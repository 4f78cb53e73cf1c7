import type { Context } from 'hono';
import {
  ConflictError,
  EntityIdSchema,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  actingUser,
  hasRole,
  ok,
  parseEntityId,
  z,
  type App,
  type ServiceDeps,
  restRoute,
} from '@waddlebot/core';
import { CalendarError } from '../calendar-errors.js';
import { EVENT_STATUSES, RECURRING_PATTERNS } from '../db.js';
import {
  approveEvent,
  cancelEvent,
  createEvent,
  eventWithAttendees,
  findEvent,
  isModerator,
  joinEvent,
  listEvents,
  rejectEvent,
  type Actor,
  type CalendarDeps,
} from '../events.js';
import { isValidZone } from '../local-time.js';
import { readSettings, writeSettings } from '../settings.js';

const CommunityParam = z
  .string()
  .regex(/^\d{1,18}$/, 'must be a decimal community id')
  .transform((v) => String(Number(v)));
const IdParam = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const IsoTime = z.iso.datetime({ offset: true });
const CommunityPath = z.object({ community_id: CommunityParam });
const EventPath = z.object({ community_id: CommunityParam, id: IdParam });
const AttendeePath = EventPath.extend({ user_id: z.string().min(1).max(200) });

/** The REST caller as an actor; writes need the acting user's id. */
function actor(c: Context, required = true): Actor {
  const u = actingUser(c);
  if (!u.id && required)
    throw new ValidationError('X-WaddleBot-User-Id is required', [
      { path: 'X-WaddleBot-User-Id', message: 'Required' },
    ]);
  return { key: u.id ?? '', name: u.name, role: u.role, labels: u.labels };
}

/** Domain refusals map to 400/403/404/409 (interaction-modules §6 REST). */
async function rest<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof CalendarError)) throw err;
    switch (err.kind) {
      case 'NOT_FOUND':
        throw new NotFoundError(err.message);
      case 'FORBIDDEN':
        throw new ForbiddenError(err.message);
      case 'CONFLICT':
        throw new ConflictError(err.message);
      default:
        throw new ValidationError(err.message, [{ path: err.field ?? '', message: err.message }]);
    }
  }
}

const CreateEvent = z
  .object({
    title: z.string().min(3).max(255),
    description: z.string().max(5000).nullish(),
    event_date: IsoTime,
    end_date: IsoTime.nullish(),
    location: z.string().max(500).nullish(),
    max_attendees: z.number().int().min(1).nullish(),
    tags: z.array(z.string().max(50)).max(20).optional(),
    entity_id: EntityIdSchema,
    is_recurring: z.boolean().optional(),
    recurring_pattern: z.enum(RECURRING_PATTERNS).nullish(),
    recurring_end_date: IsoTime.nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.is_recurring && !v.recurring_pattern)
      ctx.addIssue({ code: 'custom', path: ['recurring_pattern'], message: 'required when is_recurring' });
    const parsed = parseEntityId(v.entity_id);
    if (parsed && parsed.platform !== 'twitch' && !parsed.channel_id)
      ctx.addIssue({ code: 'custom', path: ['entity_id'], message: 'must name a channel' });
  });

const ListQuery = z.object({
  status: z.enum(EVENT_STATUSES).default('approved'),
  from: IsoTime.optional(),
  to: IsoTime.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const RejectBody = z.object({ reason: z.string().trim().min(1).max(500) });
const CancelBody = z.object({ scope: z.enum(['one', 'series']).default('one') });

const SettingsBody = z.object({
  timezone: z.string().max(64).refine(isValidZone, 'must be an IANA time zone').optional(),
  reminder_offsets_minutes: z.array(z.number().int().min(1).max(525_600)).max(10).optional(),
});

export function mountCalendarRestRoutes(app: App, deps: ServiceDeps, domain: CalendarDeps) {
  const auth = deps.auth.require('service');
  const base = '/api/v1/calendar/{community_id}';

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/events`,
      summary: 'List events',
      params: CommunityPath,
      query: ListQuery,
    },
    async (c, { params: { community_id }, query: q }) => {
      if (q.status !== 'approved' && !isModerator(actor(c, false)))
        throw new ForbiddenError(`Listing ${q.status} events needs moderator rights`);
      const res = await listEvents(domain, community_id, {
        status: q.status,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
        offset: q.offset,
      });
      return ok(c, res);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${base}/events`,
      summary: 'Create an event',
      params: CommunityPath,
      body: CreateEvent,
      status: 201,
    },
    async (c, { params: { community_id }, body }) => {
      const who = actor(c);
      const pattern = body.is_recurring !== false ? body.recurring_pattern : null;
      const res = await rest(() =>
        createEvent(domain, community_id, who, {
          entityId: body.entity_id,
          title: body.title,
          description: body.description,
          eventDate: new Date(body.event_date),
          endDate: body.end_date ? new Date(body.end_date) : null,
          location: body.location,
          maxAttendees: body.max_attendees,
          tags: body.tags,
          recurrence: pattern
            ? { pattern, endDate: body.recurring_end_date ? new Date(body.recurring_end_date) : null }
            : undefined,
        }),
      );
      deps.logger.audit({
        action: 'event_create',
        community: community_id,
        user: who.key,
        result: 'SUCCESS',
        event_id: res.event.id,
      });
      return ok(
        c,
        { event: res.event, auto_approved: res.autoApproved, instances_created: res.instances },
        201,
      );
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: `${base}/events/{id}`,
      summary: 'One event with its attendees',
      params: EventPath,
    },
    async (c, { params: { community_id, id } }) => {
      return ok(c, await rest(() => eventWithAttendees(domain, community_id, id)));
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${base}/events/{id}/approve`,
      summary: 'Approve a pending event',
      params: EventPath,
    },
    async (c, { params: { community_id, id } }) => {
      const who = actor(c);
      const event = await rest(() => approveEvent(domain, community_id, who, id));
      deps.logger.audit({
        action: 'event_approve',
        community: community_id,
        user: who.key,
        result: 'SUCCESS',
        event_id: id,
      });
      return ok(c, event);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${base}/events/{id}/reject`,
      summary: 'Reject a pending event',
      params: EventPath,
      body: RejectBody,
    },
    async (c, { params: { community_id, id }, body }) => {
      const who = actor(c);
      const event = await rest(() => rejectEvent(domain, community_id, who, id, body.reason));
      deps.logger.audit({
        action: 'event_reject',
        community: community_id,
        user: who.key,
        result: 'SUCCESS',
        event_id: id,
      });
      return ok(c, event);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${base}/events/{id}/cancel`,
      summary: 'Cancel an event or its series',
      params: EventPath,
      body: CancelBody,
    },
    async (c, { params: { community_id, id }, body }) => {
      const who = actor(c);
      const res = await rest(() => cancelEvent(domain, community_id, who, id, body.scope));
      deps.logger.audit({
        action: 'event_cancel',
        community: community_id,
        user: who.key,
        result: 'SUCCESS',
        event_id: id,
        scope: body.scope,
      });
      return ok(c, { event: res.event, cancelled: res.cancelled });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${base}/events/{id}/attendees`,
      summary: 'Join as the acting user',
      params: EventPath,
      status: 201,
    },
    async (c, { params: { community_id, id } }) => {
      const who = actor(c);
      const res = await rest(() => joinEvent(domain, community_id, who, id));
      return ok(c, { event_id: res.event.id, user_id: who.key, attendee_count: res.count }, 201);
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'delete',
      path: `${base}/events/{id}/attendees/{user_id}`,
      summary: 'Remove an attendee',
      params: AttendeePath,
    },
    async (c, { params: { community_id, id, user_id } }) => {
      const who = actor(c);
      if (who.key !== user_id && !isModerator(who))
        throw new ForbiddenError('Only the attendee or a moderator can do this');
      const event = await rest(() => findEvent(domain.db, community_id, id));
      const res = await domain.db
        .deleteFrom('calendar_event_attendees')
        .where('event_id', '=', event.id)
        .where('user_id', '=', user_id)
        .executeTakeFirst();
      if (Number(res.numDeletedRows) === 0) throw new NotFoundError('That user is not attending');
      return ok(c, { event_id: event.id, user_id, removed: true });
    },
  );

  restRoute(
    app,
    auth,
    { method: 'get', path: `${base}/settings`, summary: 'Calendar settings', params: CommunityPath },
    async (c, { params: { community_id } }) => {
      return ok(c, await readSettings(domain.db, community_id, domain.defaultZone));
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'put',
      path: `${base}/settings`,
      summary: 'Change calendar settings',
      params: CommunityPath,
      body: SettingsBody,
    },
    async (c, { params: { community_id }, body }) => {
      const who = actor(c, false);
      // community.manage_settings is an admin permission (contracts §4).
      if (!hasRole(who.role, 'admin'))
        throw new ForbiddenError('Changing calendar settings needs admin rights');
      const current = await readSettings(domain.db, community_id, domain.defaultZone);
      const saved = await writeSettings(domain.db, domain.clock, {
        community_id,
        timezone: body.timezone ?? current.timezone,
        reminder_offsets_minutes: body.reminder_offsets_minutes ?? current.reminder_offsets_minutes,
      });
      deps.logger.audit({
        action: 'calendar_settings_update',
        community: community_id,
        user: who.key || undefined,
        result: 'SUCCESS',
      });
      return ok(c, saved);
    },
  );
}
