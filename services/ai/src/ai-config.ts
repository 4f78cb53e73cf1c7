import { MESSAGE_TYPES, boolVar, intVar, optionalString, z, type MessageType } from '@waddlebot/core';

export const PROVIDERS = ['ollama', 'openai'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** Message types that can trigger an event response; chat and commands reach ai another way. */
export const EVENT_TYPES = MESSAGE_TYPES.filter(
  (t) => t !== 'chatMessage' && t !== 'slashCommand' && t !== 'interaction',
) as Exclude<MessageType, 'chatMessage' | 'slashCommand' | 'interaction'>[];
export type EventType = (typeof EVENT_TYPES)[number];

export const DEFAULT_SYSTEM_PROMPT =
  'You are a friendly, concise chat assistant in a live-stream or community chat. ' +
  'Keep every reply under 200 characters, plain text, no markdown.';

/** `mcp` and `waddleai` were other OpenAI-style endpoints in the original (interaction-modules §2). */
const providerVar = z
  .string()
  .optional()
  .transform((v, ctx): ProviderName => {
    const name = (v ?? '').trim().toLowerCase();
    if (name === '' || name === 'ollama') return 'ollama';
    if (['openai', 'mcp', 'waddleai'].includes(name)) return 'openai';
    ctx.addIssue({ code: 'custom', message: `expected one of ollama, openai, mcp, waddleai, got "${v}"` });
    return z.NEVER;
  });

function numberVar(defaultValue: number, min: number, max: number) {
  return z
    .union([z.number(), z.string()])
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return defaultValue;
      const n = typeof v === 'number' ? v : Number(v.trim());
      if (!Number.isFinite(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `expected a number between ${min} and ${max}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });
}

/** Comma list; empty entries dropped. */
function listVar(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((v) =>
      (v === undefined ? defaultValue : v)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
}

const eventTypesVar = listVar('subscription,follow,donation,cheer,raid,boost').transform((list, ctx) => {
  const unknown = list.filter((t) => !(EVENT_TYPES as string[]).includes(t));
  if (unknown.length) {
    ctx.addIssue({ code: 'custom', message: `not event message types: ${unknown.join(', ')}` });
    return z.NEVER;
  }
  return [...new Set(list)] as EventType[];
});

/** ai's own environment (interaction-modules §2); base URLs come from the common config. */
export const aiConfigShape = {
  AI_PROVIDER: providerVar,
  AI_MODEL: z.string().trim().min(1).default('llama3.2'),
  AI_TEMPERATURE: numberVar(0.7, 0, 2),
  AI_MAX_TOKENS: intVar(500, { min: 1, max: 4096 }),
  AI_API_KEY: optionalString(),
  OPENAI_API_KEY: optionalString(),
  OPENAI_MODEL: z.string().trim().min(1).default('gpt-4o-mini'),
  /** LLM calls must finish below the router's 30 s command timeout (interaction-modules §1.4). */
  AI_TIMEOUT_MS: intVar(25_000, { min: 50, max: 29_000 }),
  /** LLM calls in flight at once per process; further calls wait for a free slot. */
  MAX_CONCURRENT_REQUESTS: intVar(10, { min: 1, max: 1000 }),
  SYSTEM_PROMPT: z.string().min(1).max(2000).default(DEFAULT_SYSTEM_PROMPT),
  // Not trimmed: the default prefix ends with the space that separates it from the answer.
  RESPONSE_PREFIX: z.string().max(20).default('🤖 '),
  QUESTION_TRIGGERS: listVar('?'),
  ENABLE_CHAT_CONTEXT: boolVar(true),
  CONTEXT_HISTORY_LIMIT: intVar(5, { min: 0, max: 50 }),
  /** Minutes an idle conversation is remembered. */
  CONTEXT_TTL_MINUTES: intVar(30, { min: 1, max: 24 * 60 }),
  RESPOND_TO_EVENTS: boolVar(true),
  EVENT_RESPONSE_TYPES: eventTypesVar,
  AI_PASSIVE_CHAT: boolVar(false),
  AI_PASSIVE_COOLDOWN_SECONDS: intVar(60, { min: 0, max: 86_400 }),
  /** The bot's own chat accounts (names or platform ids): passive mode never answers them. */
  AI_BOT_USERS: listVar(''),
};

export type AiEnv = { [K in keyof typeof aiConfigShape]: z.output<(typeof aiConfigShape)[K]> } & {
  OLLAMA_BASE_URL: string;
  OPENAI_BASE_URL: string;
  REQUEST_TIMEOUT: number;
};

/** The LLM timeout never exceeds the deployment-wide outbound REQUEST_TIMEOUT (seconds, contracts §16). */
export function llmTimeoutMs(env: AiEnv): number {
  return Math.min(env.AI_TIMEOUT_MS, env.REQUEST_TIMEOUT * 1000);
}

/** The OpenAI-compatible key: OPENAI_API_KEY, else the generic AI_API_KEY. */
export function openAiKey(env: AiEnv): string | undefined {
  return env.OPENAI_API_KEY ?? env.AI_API_KEY;
}

/** Default model of the configured provider. */
export function defaultModel(env: AiEnv): string {
  return env.AI_PROVIDER === 'openai' ? env.OPENAI_MODEL : env.AI_MODEL;
}
