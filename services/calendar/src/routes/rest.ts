import type { Context } from 'hono';
import {
  ChannelEntityIdSchema,
  CommunityPath,
  CommunityRowPath,
  ForbiddenError,
  NotFoundError,
  ValidationError,
  hasRole,
  ok,
  requireActingUser,
  restActor,
  restErrorFor,
  restRoute,
  z,
  type App,
  type ServiceDeps,
} from '@waddlebot/core';
import { CalendarError } from '../calendar-errors.js';
import { EVENT_STATUSES, RECURRING_PATTERNS } from '../db.js';
import {
  approveEvent,
  cancelEvent,
  createEvent,
  eventWithAttendees,
  isModerator,
  joinEvent,
  leaveEvent,
  listEvents,
  rejectEvent,
  type Actor,
  type CalendarDeps,
} from '../events.js';
import { isValidZone } from '../local-time.js';
import { readSettings, writeSettings } from '../settings.js';

const IsoTime = z.iso.datetime({ offset: true });
const AttendeePath = CommunityRowPath.extend({ user_id: z.string().min(1).max(200) });

/** The REST caller as an actor: the named user, or the calling service itself (trusted). */
function actorOf(c: Context): Actor {
  const { key, name, role, labels } = restActor(c);
  return { key, name, role, labels };
}

/** Domain refusals map to 400/403/404/409 (interaction-modules §6 REST). */
async function restChecked<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CalendarError) throw restErrorFor(err.kind, err.message, err.field);
    throw err;
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
    // Reminders are posted there, so it must be a channel (contracts §12).
    entity_id: ChannelEntityIdSchema,
    is_recurring: z.boolean().optional(),
    recurring_pattern: z.enum(RECURRING_PATTERNS).nullish(),
    recurring_end_date: IsoTime.nullish(),
  })
  .superRefine((v, ctx) => {
    if (v.is_recurring && !v.recurring_pattern)
      ctx.addIssue({ code: 'custom', path: ['recurring_pattern'], message: 'required when is_recurring' });
  });

const ListQuery = z
  .object({
    status: z.enum(EVENT_STATUSES).default('approved'),
    from: IsoTime.optional(),
    to: IsoTime.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), {
    path: ['to'],
    message: 'must be after from',
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

  /** approve, reject and cancel: a moderation step on one event, audited alike. */
  function moderationRoute<B extends z.ZodType>(
    action: 'approve' | 'reject' | 'cancel',
    summary: string,
    body: B | undefined,
    run: (communityId: string, who: Actor, id: number, body: z.output<B>) => Promise<unknown>,
  ) {
    restRoute(
      app,
      auth,
      { method: 'post', path: `${base}/events/{id}/${action}`, summary, params: CommunityRowPath, body },
      async (c, { params: { community_id, id }, body: input }) => {
        const who = actorOf(c);
        const result = await restChecked(() => run(community_id, who, id, input as z.output<B>));
        deps.logger.audit({
          action: `event_${action}`,
          community: community_id,
          user: who.key,
          result: 'SUCCESS',
          event_id: id,
        });
        return ok(c, result);
      },
    );
  }

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
      if (q.status !== 'approved' && !isModerator(actorOf(c)))
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
      const who = actorOf(c);
      const pattern = body.is_recurring !== false ? body.recurring_pattern : null;
      const res = await restChecked(() =>
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
      params: CommunityRowPath,
    },
    async (c, { params: { community_id, id } }) =>
      ok(c, await restChecked(() => eventWithAttendees(domain, community_id, id))),
  );

  moderationRoute('approve', 'Approve a pending event', undefined, (community, who, id) =>
    approveEvent(domain, community, who, id),
  );
  moderationRoute('reject', 'Reject a pending event', RejectBody, (community, who, id, body) =>
    rejectEvent(domain, community, who, id, body.reason),
  );
  moderationRoute(
    'cancel',
    'Cancel an event, or with scope "series" its series',
    CancelBody,
    async (community, who, id, body) => {
      const res = await cancelEvent(domain, community, who, id, body.scope);
      return { event: res.event, cancelled: res.cancelled };
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: `${base}/events/{id}/attendees`,
      summary: 'Join as the acting user',
      params: CommunityRowPath,
      status: 201,
    },
    async (c, { params: { community_id, id } }) => {
      // Joining needs someone to join: the named user.
      const user = requireActingUser(c);
      const who: Actor = { key: user.id, name: user.name, role: user.role, labels: user.labels };
      const res = await restChecked(() => joinEvent(domain, community_id, who, id));
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
      const who = actorOf(c);
      if (who.key !== user_id && !isModerator(who))
        throw new ForbiddenError('Only the attendee or a moderator can do this');
      const { event, left } = await restChecked(() => leaveEvent(domain, community_id, user_id, id));
      if (!left) throw new NotFoundError('That user is not attending');
      return ok(c, { event_id: event.id, user_id, removed: true });
    },
  );

  restRoute(
    app,
    auth,
    { method: 'get', path: `${base}/settings`, summary: 'Calendar settings', params: CommunityPath },
    async (c, { params: { community_id } }) =>
      ok(c, await readSettings(domain.db, community_id, domain.defaultZone)),
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
      const who = actorOf(c);
      // community.manage_settings is an admin permission (contracts §4).
      if (!hasRole(who.role, 'admin'))
        throw new ForbiddenError('Changing calendar settings needs admin rights');
      if (body.timezone === undefined && body.reminder_offsets_minutes === undefined)
        throw new ValidationError('Nothing to change', [{ path: '', message: 'Nothing to change' }]);
      const current = await readSettings(domain.db, community_id, domain.defaultZone);
      const saved = await writeSettings(domain.db, domain.clock, {
        community_id,
        timezone: body.timezone ?? current.timezone,
        reminder_offsets_minutes: body.reminder_offsets_minutes ?? current.reminder_offsets_minutes,
      });
      deps.logger.audit({
        action: 'calendar_settings_update',
        community: community_id,
        user: who.key,
        result: 'SUCCESS',
      });
      return ok(c, saved);
    },
  );
}
