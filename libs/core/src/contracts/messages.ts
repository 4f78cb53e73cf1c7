import { z } from 'zod';
import { CommunityIdSchema, EntityIdSchema, PlatformSchema, SegmentSchema, parseEntityId } from './ids.js';
import { ROLES } from './roles.js';

export const MESSAGE_TYPES = [
  'chatMessage',
  'subscription',
  'follow',
  'donation',
  'cheer',
  'raid',
  'host',
  'subgift',
  'resub',
  'reaction',
  'member_join',
  'member_leave',
  'voice_join',
  'voice_leave',
  'voice_time',
  'boost',
  'ban',
  'kick',
  'timeout',
  'warn',
  'file_share',
  'app_mention',
  'channel_join',
  'slashCommand',
  'interaction',
  'stream_online',
  'stream_offline',
] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export const MessageTypeSchema = z.enum(MESSAGE_TYPES, {
  error: () => `must be one of ${MESSAGE_TYPES.join(', ')}`,
});

export const RoleSchema = z.enum(ROLES);

/** §7: receiver → router. */
export const RouterEventSchema = z
  .object({
    platform: PlatformSchema,
    server_id: SegmentSchema,
    channel_id: z.union([SegmentSchema, z.literal('')]).default(''),
    user_id: z.string().min(1).max(256),
    user_name: z.string().min(1).max(256),
    display_name: z.string().max(256).optional(),
    message_content: z.string().max(5000),
    message_type: MessageTypeSchema,
    event_id: z.string().min(1).max(256).optional(),
    timestamp: z.iso.datetime({ offset: true }).optional(),
    metadata: z
      .record(z.string(), z.unknown())
      .default({})
      .superRefine((m, ctx) => {
        if (
          m.platform_role !== undefined &&
          m.platform_role !== null &&
          !(ROLES as readonly string[]).includes(m.platform_role as string)
        ) {
          ctx.addIssue({
            code: 'custom',
            path: ['platform_role'],
            message: `must be one of ${ROLES.join(', ')}`,
          });
        }
      }),
    reply_context: z.record(z.string(), z.unknown()).optional(),
    alias_depth: z.number().int().min(0).default(0),
    /** Sent by some clients; always ignored: the router derives the entity id. */
    entity_id: z.unknown().optional(),
  })
  .superRefine((e, ctx) => {
    if (
      (e.message_type === 'chatMessage' || e.message_type === 'slashCommand') &&
      e.message_content.trim() === ''
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['message_content'],
        message: `must not be blank for ${e.message_type}`,
      });
    }
  });
export type RouterEvent = z.output<typeof RouterEventSchema>;
export type RouterEventInput = z.input<typeof RouterEventSchema>;

export const RouterEventBatchSchema = z.object({ events: z.array(z.unknown()).min(1).max(100) });

export const REPLY_TYPES = ['chat', 'dm', 'form', 'delete'] as const;

export const FormFieldSchema = z.object({
  name: z.string(),
  type: z.enum([
    'text',
    'textarea',
    'select',
    'multiselect',
    'radio',
    'checkbox',
    'number',
    'email',
    'url',
    'date',
    'time',
  ]),
  label: z.string(),
  required: z.boolean().default(false),
  options: z.array(z.union([z.string(), z.object({ label: z.string(), value: z.string() })])).optional(),
});
export type FormField = z.output<typeof FormFieldSchema>;

/** §11 Reply objects. */
export const ReplySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('chat'),
    text: z.string().min(1),
    ephemeral: z.boolean().optional(),
    reply_to: z.string().optional(),
    embed: z.record(z.string(), z.unknown()).optional(),
    blocks: z.array(z.unknown()).optional(),
  }),
  z
    .object({
      type: z.literal('dm'),
      user_id: z.string().optional(),
      user_name: z.string().optional(),
      text: z.string().min(1),
    })
    .refine((r) => r.user_id || r.user_name, {
      message: 'user_id or user_name is required',
      path: ['user_id'],
    }),
  z.object({
    type: z.literal('form'),
    title: z.string(),
    description: z.string().optional(),
    fields: z.array(FormFieldSchema).default([]),
    submit_url: z.string().optional(),
    submit_method: z.string().default('POST'),
    callback_url: z.string().optional(),
  }),
  z.object({ type: z.literal('delete'), message_id: z.string().min(1) }),
]);
export type Reply = z.output<typeof ReplySchema>;

/** §11: router/modules → receiver `/send`. */
export const SendBodySchema = z
  .object({
    entity_id: EntityIdSchema.optional(),
    reply_context: z.record(z.string(), z.unknown()).nullish(),
    replies: z.array(ReplySchema).min(1).max(50),
  })
  .refine((b) => b.entity_id || b.replies.every((r) => r.type === 'dm'), {
    message: 'entity_id is required unless every reply is a dm',
    path: ['entity_id'],
  });
export type SendBody = z.output<typeof SendBodySchema>;

export const OUTCOMES = [
  'executed',
  'pending',
  'not_command',
  'unknown_command',
  'disabled',
  'forbidden',
  'rate_limited',
  'module_error',
  'string_match',
  'event',
  'duplicate',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** §8: router → receiver. */
export const RouterResultSchema = z.object({
  success: z.boolean(),
  session_id: z.string().nullable().optional(),
  execution_id: z.string().nullable().optional(),
  processed: z.boolean(),
  outcome: z.enum(OUTCOMES),
  command: z.string().nullable().optional(),
  replies: z.array(ReplySchema).default([]),
  module_responses: z
    .array(
      z.object({ module_name: z.string(), success: z.boolean(), response_action: z.string().nullable() }),
    )
    .default([]),
  event_modules_executed: z.number().int().default(0),
  error: z
    .object({
      code: z.enum([
        'UNKNOWN_COMMAND',
        'COMMAND_DISABLED',
        'PERMISSION_DENIED',
        'RATE_LIMITED',
        'MODULE_ERROR',
      ]),
      message: z.string(),
      retry_after_seconds: z.number().optional(),
    })
    .nullable()
    .default(null),
});
export type RouterResult = z.output<typeof RouterResultSchema>;

export const TRIGGER_TYPES = ['command', 'event', 'string_match', 'fallback'] as const;

/** §9: router → module. */
export const ModuleRequestSchema = z.object({
  session_id: z.string().min(1),
  execution_id: z.string().min(1),
  trigger_type: z.enum(TRIGGER_TYPES).default('command'),
  message_type: MessageTypeSchema.default('chatMessage'),
  command: z.string().default(''),
  prefix: z.string().default('!'),
  args: z.array(z.string()).default([]),
  args_text: z.string().default(''),
  raw_message: z.string().default(''),
  entity_id: z.string(),
  community_id: CommunityIdSchema,
  platform: PlatformSchema,
  server_id: z.string(),
  channel_id: z.string().default(''),
  message_id: z.string().nullable().default(null),
  timestamp: z.string().optional(),
  user: z.object({
    id: z.string(),
    name: z.string(),
    display_name: z.string().nullish(),
    uid: z.string().nullable().default(null),
  }),
  user_context: z
    .object({
      role: RoleSchema.default('member'),
      platform_role: RoleSchema.nullable().default(null),
      permissions: z.array(z.string()).default([]),
      labels: z.array(z.string()).default([]),
    })
    .default({ role: 'member', platform_role: null, permissions: [], labels: [] }),
  config: z.record(z.string(), z.unknown()).default({}),
  metadata: z.record(z.string(), z.unknown()).default({}),
  event_data: z.record(z.string(), z.unknown()).nullable().default(null),
  alias_depth: z.number().int().min(0).default(0),
});
export type ModuleRequest = z.output<typeof ModuleRequestSchema>;
export type ModuleRequestInput = z.input<typeof ModuleRequestSchema>;

export const RESPONSE_ACTIONS = ['chat', 'media', 'ticker', 'general', 'form'] as const;
export type ResponseAction = (typeof RESPONSE_ACTIONS)[number];

export const MODULE_ERROR_CODES = [
  'USAGE',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'VALIDATION',
  'UPSTREAM',
  'NOT_CONNECTED',
  'COOLDOWN',
  'LOOP',
  'INTERNAL',
] as const;
export type ModuleErrorCode = (typeof MODULE_ERROR_CODES)[number];

/** The action fields of one response object (§10); shared by the top level and additional_responses. */
export const ActionFieldsSchema = z.object({
  response_action: z.enum(RESPONSE_ACTIONS).nullable().optional(),
  chat_message: z.string().nullish(),
  media_type: z.enum(['youtube', 'spotify', 'twitch_clip', 'image', 'video', 'audio']).optional(),
  media_url: z.string().optional(),
  media_data: z.record(z.string(), z.unknown()).optional(),
  duration: z.number().min(0).optional(),
  ticker_text: z.string().max(200).optional(),
  ticker_duration: z.number().min(0).optional(),
  ticker_style: z.unknown().optional(),
  content_type: z.enum(['html', 'text', 'announcement', 'alert']).optional(),
  content: z.string().optional(),
  style: z.unknown().optional(),
  form_title: z.string().optional(),
  form_description: z.string().optional(),
  form_fields: z.array(FormFieldSchema).optional(),
  form_submit_url: z.string().optional(),
  form_submit_method: z.string().optional(),
  form_callback_url: z.string().optional(),
});
export type ActionFields = z.output<typeof ActionFieldsSchema>;

/** §10: module → router (inline 2xx body or POST /router/responses). */
export const ModuleResponseSchema = ActionFieldsSchema.extend({
  success: z.boolean(),
  session_id: z.string().nullish(),
  execution_id: z.string().nullish(),
  module_name: z.string().nullish(),
  processing_time_ms: z.number().optional(),
  response_data: z.unknown().optional(),
  degraded: z.boolean().optional(),
  skipped: z.boolean().optional(),
  reason: z.string().optional(),
  error_code: z.enum(MODULE_ERROR_CODES).optional(),
  error_message: z.string().nullish(),
  additional_responses: z.array(ActionFieldsSchema).optional(),
});
export type ModuleResponse = z.output<typeof ModuleResponseSchema>;
export type ModuleResponseInput = z.input<typeof ModuleResponseSchema>;

/** `POST /router/responses`: the async follow-up needs its correlation fields. */
export const AsyncModuleResponseSchema = ModuleResponseSchema.extend({
  execution_id: z.string().min(1),
  session_id: z.string().min(1),
  module_name: z.string().min(1),
  response_action: z.enum(RESPONSE_ACTIONS).nullable(),
});

/** Omitted response_action: chat when chat_message is a non-empty string, else null (§10). */
export function effectiveAction(r: ActionFields): ResponseAction | null {
  if (r.response_action !== undefined) return r.response_action;
  return typeof r.chat_message === 'string' && r.chat_message.trim() !== '' ? 'chat' : null;
}

/** §12: message no inbound event caused. */
export const OutboundMessageSchema = z
  .object({
    platform: PlatformSchema,
    type: z.enum(['chat', 'dm']),
    entity_id: EntityIdSchema.optional(),
    user_id: z.string().min(1).optional(),
    user_name: z.string().min(1).optional(),
    text: z.string().min(1).max(2000),
    module_name: z.string().min(1),
    idempotency_key: z.string().min(1).max(200),
  })
  .superRefine((m, ctx) => {
    if (m.entity_id && parseEntityId(m.entity_id)?.platform !== m.platform) {
      ctx.addIssue({ code: 'custom', path: ['entity_id'], message: 'must match platform' });
    }
    if (m.type === 'chat') {
      const parsed = m.entity_id ? parseEntityId(m.entity_id) : null;
      if (!parsed) ctx.addIssue({ code: 'custom', path: ['entity_id'], message: 'required for chat' });
      else if (parsed.platform !== 'twitch' && !parsed.channel_id) {
        ctx.addIssue({ code: 'custom', path: ['entity_id'], message: 'must name a channel' });
      }
      if (m.user_name) ctx.addIssue({ code: 'custom', path: ['user_name'], message: 'only allowed for dm' });
    } else if (!m.user_id && !m.user_name) {
      ctx.addIssue({ code: 'custom', path: ['user_id'], message: 'user_id or user_name is required for dm' });
    }
  });
export type OutboundMessage = z.output<typeof OutboundMessageSchema>;

/** §14 merge notification. */
export const UserMergedSchema = z.object({
  from_uid: z.string().min(1),
  into_uid: z.string().min(1),
  identities: z
    .array(z.object({ platform: PlatformSchema, platform_user_id: z.string().min(1) }))
    .default([]),
});
export type UserMerged = z.output<typeof UserMergedSchema>;

/**
 * The user keys a merge retires (contracts §14): the old uid, and the `<platform>:<user_id>` keys
 * of the merged identities, which rows were keyed by while identity was unavailable. Never the
 * surviving uid, so re-keying cannot touch the survivor's own rows.
 */
export function retiredUserKeys(merge: UserMerged): string[] {
  const keys = [merge.from_uid, ...merge.identities.map((i) => `${i.platform}:${i.platform_user_id}`)];
  return [...new Set(keys)].filter((k) => k !== merge.into_uid);
}

/** §9.2 registry row as a service seeds it. */
export const CommandSeedSchema = z.object({
  command: z
    .string()
    .min(1)
    .max(64)
    .transform((c) => c.toLowerCase()),
  prefix: z.enum(['!', '#']).default('!'),
  aliases: z.array(z.string().min(1).max(64)).default([]),
  description: z.string().default(''),
  usage: z.string().default(''),
  location: z.enum(['internal', 'community']).default('internal'),
  type: z.enum(['container', 'webhook', 'lambda', 'openwhisk']).default('container'),
  location_url: z.url(),
  method: z.enum(['GET', 'POST', 'PUT']).default('POST'),
  timeout: z.number().int().min(1).max(300).default(30),
  headers: z.record(z.string(), z.string()).default({}),
  rate_limit: z.number().int().min(0).default(0),
  required_permission: z.string().default('commands.basic'),
  enabled_by_default: z.boolean().default(true),
  trigger_type: z.enum(['command', 'event', 'both', 'fallback']).default('command'),
  event_types: z.array(MessageTypeSchema).default([]),
  priority: z.number().int().default(100),
  execution_mode: z.enum(['sequential', 'parallel']).default('sequential'),
  module_name: z.string().min(1),
  module_type: z.string().default('interaction'),
  version: z.string().default('1.0.0'),
  community_id: z.number().int().positive().nullable().optional(),
});
export type CommandSeed = z.input<typeof CommandSeedSchema>;
export type CommandRow = z.output<typeof CommandSeedSchema>;
