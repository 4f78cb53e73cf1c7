import type { Role, RouterEventInput } from '@waddlebot/core';

type Payload = Record<string, any>;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** One interactivity payload (§7.4), read once: who, where, and the metadata the router gets. */
export interface SlackInteraction {
  type: string;
  eventId: string;
  teamId: string;
  userId: string;
  userName: string;
  channelId: string;
  /** What the router gets; null for payload types WaddleBot does not handle (logged only). */
  metadata: Record<string, unknown> | null;
  responseUrl: string | undefined;
}

/** `{action_id: value}` from a submitted view's state. */
function viewValues(state: unknown): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const block of Object.values((state ?? {}) as Record<string, Record<string, any>>)) {
    for (const [actionId, input] of Object.entries(block ?? {})) {
      values[actionId] =
        input?.value ??
        input?.selected_option?.value ??
        input?.selected_options?.map((o: any) => o.value) ??
        null;
    }
  }
  return values;
}

/**
 * `block_actions`, `view_submission`, `shortcut`, `message_action` → a SlackInteraction with
 * metadata; other payload types (e.g. `view_closed`) without, and with `eventId` '' when they
 * carry no trigger id. When the team, the user or a handled type's id is missing: that field.
 */
export function readInteraction(payload: Payload): SlackInteraction | string {
  const teamId = str(payload.team?.id ?? payload.user?.team_id);
  const userId = str(payload.user?.id);
  const action = Array.isArray(payload.actions) ? payload.actions[0] : undefined;
  const eventId = str(payload.trigger_id) || str(action?.action_ts ?? payload.action_ts);
  if (!teamId) return 'team.id';
  if (!userId) return 'user.id';
  let metadata: Record<string, unknown> | null;
  switch (payload.type) {
    case 'block_actions':
      metadata = {
        custom_id: action?.action_id,
        value: action?.value ?? action?.selected_option?.value ?? null,
        trigger_id: payload.trigger_id,
        message_ts: payload.message?.ts ?? payload.container?.message_ts,
      };
      break;
    case 'view_submission':
      metadata = {
        custom_id: payload.view?.callback_id,
        values: viewValues(payload.view?.state?.values),
        private_metadata: payload.view?.private_metadata ?? '',
      };
      break;
    case 'shortcut':
    case 'message_action':
      metadata = {
        custom_id: payload.callback_id,
        trigger_id: payload.trigger_id,
        message_ts: payload.message?.ts,
      };
      break;
    default:
      metadata = null;
  }
  if (metadata && !eventId) return 'trigger_id';
  return {
    type: payload.type,
    eventId,
    teamId,
    userId,
    userName: str(payload.user?.username ?? payload.user?.name) || `User-${userId}`,
    channelId: str(payload.channel?.id ?? payload.container?.channel_id),
    metadata,
    responseUrl: str(payload.response_url) || undefined,
  };
}

export function interactionEvent(
  ix: SlackInteraction & { metadata: Record<string, unknown> },
  role: Role | undefined,
): RouterEventInput {
  return {
    platform: 'slack',
    server_id: ix.teamId,
    channel_id: ix.channelId,
    user_id: ix.userId,
    user_name: ix.userName,
    message_content: str(ix.metadata.custom_id).slice(0, 5000),
    message_type: 'interaction',
    event_id: ix.eventId,
    metadata: { ...ix.metadata, ...(role ? { platform_role: role } : {}) },
    reply_context: {
      ...(ix.responseUrl ? { response_url: ix.responseUrl } : {}),
      ...(ix.channelId ? { channel: ix.channelId } : {}),
    },
  };
}
