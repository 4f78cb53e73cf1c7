import {
  ModuleFailure,
  chatResponse,
  userKeyOf,
  type Logger,
  type ModuleRequest,
  type ModuleResponse,
} from '@waddlebot/core';
import { CalendarError } from './calendar-errors.js';
import { EVENT_STATUSES, type EventStatus } from './db.js';
import {
  approveEvent,
  cancelEvent,
  createEvent,
  isModerator,
  joinEvent,
  leaveEvent,
  listEvents,
  rejectEvent,
  type Actor,
  type CalendarDeps,
  type CalendarEvent,
  type ListedEvent,
} from './events.js';
import { formatLocal, parseWallTime, resolveWallTime } from './local-time.js';
import { readSettings } from './settings.js';

export interface CalendarModuleDeps extends CalendarDeps {
  logger: Logger;
}

const MODULE = 'calendar';
const CHAT_LIMIT = 450;
const SHOWN_IN_CHAT = 5;

const CREATE_USAGE =
  'Usage: !calendar create "<title>" "<YYYY-MM-DD HH:MM>" [description] [location] [max_attendees]. ' +
  'Example: !calendar create "Co-op Night" "2026-03-01 19:30" "Bring snacks" "Discord stage" 6';

const HELP =
  'Calendar: !calendar create "title" "YYYY-MM-DD HH:MM" [description] [location] [max] | ' +
  'list [pending|approved|rejected|cancelled] | join <id> | leave <id> | approve <id> | ' +
  'reject <id> "reason" | cancel <id>. Users with the event-autoapprove label skip approval.';

function actorOf(req: ModuleRequest): Actor {
  return {
    key: userKeyOf(req.user, req.platform),
    name: req.user.display_name || req.user.name,
    role: req.user_context.role,
    labels: req.user_context.labels,
  };
}

/** Domain refusals become 200 `success:false` chat answers with the matching code. */
async function inChat<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof CalendarError) throw new ModuleFailure(err.kind, err.message);
    throw err;
  }
}

function parseId(raw: string | undefined, sub: string): number {
  if (!raw || !/^#?\d{1,15}$/.test(raw)) {
    throw new ModuleFailure(
      'USAGE',
      `Usage: !calendar ${sub} <event_id>${sub === 'reject' ? ' "<reason>"' : ''}`,
    );
  }
  return Number(raw.replace('#', ''));
}

function capacity(count: number, max: number | null): string {
  return max === null ? `(${count} attending)` : `(${count}/${max})`;
}

function summary(e: CalendarEvent, zone: string, count: number): string {
  return `#${e.id} ${e.title}, ${formatLocal(new Date(e.event_date), zone)}${e.location ? ` @ ${e.location}` : ''} ${capacity(count, e.max_attendees)}`;
}

const clip = (text: string, limit = CHAT_LIMIT) =>
  text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;

async function createCommand(deps: CalendarModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const [, title, when, description, location, max] = req.args;
  if (!title || !when) throw new ModuleFailure('USAGE', CREATE_USAGE);
  const wall = parseWallTime(when);
  if (!wall) throw new ModuleFailure('VALIDATION', 'Date must look like YYYY-MM-DD HH:MM');
  let maxAttendees: number | undefined;
  if (max !== undefined) {
    if (!/^\d{1,9}$/.test(max) || Number(max) < 1) {
      throw new ModuleFailure('VALIDATION', 'max_attendees must be a positive number');
    }
    maxAttendees = Number(max);
  }
  const settings = await readSettings(deps.db, req.community_id, deps.defaultZone);
  const actor = actorOf(req);
  const { event, autoApproved } = await inChat(() =>
    createEvent(deps, req.community_id, actor, {
      entityId: req.entity_id,
      title,
      description: description ?? null,
      location: location ?? null,
      maxAttendees,
      eventDate: resolveWallTime(wall, settings.timezone),
    }),
  );
  deps.logger.audit({
    action: 'event_create',
    community: req.community_id,
    user: actor.key,
    result: 'SUCCESS',
    event_id: event.id,
    status: event.status,
  });
  const head = autoApproved
    ? `Event #${event.id} created (approved)`
    : `Event #${event.id} created; waiting for a moderator to approve it`;
  return chatResponse(req, MODULE, clip(`${head}: ${summary(event, settings.timezone, 0)}`));
}

async function listCommand(deps: CalendarModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const raw = req.args[1]?.toLowerCase();
  const status: EventStatus = EVENT_STATUSES.find((s) => s === raw) ?? 'approved';
  if (status !== 'approved' && !isModerator(actorOf(req))) {
    throw new ModuleFailure('FORBIDDEN', `You don't have permission to list ${status} events.`);
  }
  const settings = await readSettings(deps.db, req.community_id, deps.defaultZone);
  const { events, total } = await listEvents(deps, req.community_id, {
    status,
    from: status === 'approved' ? deps.clock.now() : undefined,
    limit: 50,
  });
  if (events.length === 0) {
    return chatResponse(req, MODULE, status === 'approved' ? 'No upcoming events' : `No ${status} events`);
  }
  const line = (e: ListedEvent) => summary(e, settings.timezone, e.attendee_count);
  const more = total > SHOWN_IN_CHAT ? ` …and ${total - SHOWN_IN_CHAT} more` : '';
  // Long titles are cut, never the count of what is not shown.
  const text = clip(events.slice(0, SHOWN_IN_CHAT).map(line).join(' | '), CHAT_LIMIT - more.length);
  return chatResponse(req, MODULE, text + more);
}

async function joinCommand(deps: CalendarModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const id = parseId(req.args[1], 'join');
  const { event, count } = await inChat(() => joinEvent(deps, req.community_id, actorOf(req), id));
  const cap = event.max_attendees === null ? `${count} attending` : `${count}/${event.max_attendees}`;
  return chatResponse(req, MODULE, clip(`You're attending '${event.title}' (${cap})`));
}

async function leaveCommand(deps: CalendarModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const id = parseId(req.args[1], 'leave');
  const { event, left } = await inChat(() => leaveEvent(deps, req.community_id, actorOf(req).key, id));
  if (!left) throw new ModuleFailure('CONFLICT', clip(`You're not attending '${event.title}'`));
  return chatResponse(req, MODULE, clip(`You left '${event.title}'`));
}

/** approve and reject: moderators only, from pending only. */
function decisionCommand(action: 'approve' | 'reject') {
  return async (deps: CalendarModuleDeps, req: ModuleRequest): Promise<ModuleResponse> => {
    const actor = actorOf(req);
    if (!isModerator(actor))
      throw new ModuleFailure('FORBIDDEN', `You don't have permission to ${action} events.`);
    const id = parseId(req.args[1], action);
    const event = await inChat(() =>
      action === 'approve'
        ? approveEvent(deps, req.community_id, actor, id)
        : rejectEvent(deps, req.community_id, actor, id, req.args.slice(2).join(' ')),
    );
    deps.logger.audit({
      action: `event_${action}`,
      community: req.community_id,
      user: actor.key,
      result: 'SUCCESS',
      event_id: id,
    });
    const done = action === 'approve' ? 'approved' : 'rejected';
    return chatResponse(req, MODULE, clip(`Event #${id} '${event.title}' ${done}`));
  };
}

async function cancelCommand(deps: CalendarModuleDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const actor = actorOf(req);
  const id = parseId(req.args[1], 'cancel');
  const { event } = await inChat(() => cancelEvent(deps, req.community_id, actor, id, 'one'));
  deps.logger.audit({
    action: 'event_cancel',
    community: req.community_id,
    user: actor.key,
    result: 'SUCCESS',
    event_id: id,
  });
  return chatResponse(req, MODULE, clip(`Event '${event.title}' cancelled`));
}

export async function handleCalendarRequest(
  deps: CalendarModuleDeps,
  req: ModuleRequest,
): Promise<ModuleResponse> {
  const sub = req.args[0]?.toLowerCase();
  switch (sub) {
    case 'create':
      return createCommand(deps, req);
    case 'list':
      return listCommand(deps, req);
    case 'join':
      return joinCommand(deps, req);
    case 'leave':
      return leaveCommand(deps, req);
    case 'approve':
    case 'reject':
      return decisionCommand(sub)(deps, req);
    case 'cancel':
      return cancelCommand(deps, req);
    default:
      return chatResponse(req, MODULE, HELP);
  }
}
