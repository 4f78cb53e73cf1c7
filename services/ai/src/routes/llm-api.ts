import { createRoute, z } from '@hono/zod-openapi';
import {
  UpstreamError,
  ok,
  restRoute,
  type App,
  type CheckStatus,
  type Clock,
  type Logger,
  type ServiceDeps,
} from '@waddlebot/core';
import { PROVIDERS, defaultModel, type AiEnv, type ProviderName } from '../ai-config.js';
import { LlmError, displayUrl, type ChatMessage, type Completion, type LlmClient } from '../llm-client.js';

export interface LlmApiDeps {
  env: AiEnv;
  clock: Clock;
  logger: Logger;
  llm: Record<ProviderName, LlmClient>;
}

/** Model names go into upstream JSON bodies only, but keep them to the characters real names use. */
export const ModelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:/@+-]+$/, 'letters, digits and . _ : / @ + - only');

const ChatCompletionBody = z
  .object({
    messages: z
      .array(
        z.object({
          role: z.enum(['system', 'user', 'assistant']),
          content: z.string().max(20_000),
          name: z.string().max(64).optional(),
        }),
      )
      .min(1)
      .max(100),
    model: ModelName.optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().min(1).max(4096).optional(),
    user: z.string().max(256).optional(),
  })
  .refine((b) => b.messages.some((m) => m.role === 'user' && m.content.trim() !== ''), {
    message: 'at least one non-empty user message is required',
    path: ['messages'],
  });

const GenerateBody = z.object({
  prompt: z.string().trim().min(1).max(10_000),
  user_id: z.string().max(256).optional(),
  platform: z.string().max(32).optional(),
  model: ModelName.optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(4096).optional(),
});

const ChatCompletionResponse = z.object({
  id: z.string(),
  object: z.literal('chat.completion'),
  created: z.number().int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.number().int(),
      message: z.object({ role: z.literal('assistant'), content: z.string() }),
      finish_reason: z.string(),
    }),
  ),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }),
  metadata: z.object({ provider: z.string(), processing_time_ms: z.number() }),
});

const ModelList = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('model'), owned_by: z.string() })),
  current_model: z.string(),
  current_provider: z.string(),
});

const words = (s: string) => s.split(/\s+/).filter(Boolean).length;

/** Upstream trouble is the caller's 502; the reason stays in the log. */
async function upstream<T>(deps: LlmApiDeps, llm: LlmClient, work: () => Promise<T>): Promise<T> {
  if (!llm.configured)
    throw new UpstreamError(`The ${llm.provider} provider is not configured: set ${llm.missingSetting}`);
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof LlmError)) throw err;
    deps.logger.warn('llm call failed', {
      provider: llm.provider,
      failure: err.kind,
      error_message: err.message,
    });
    throw new UpstreamError('The AI provider did not answer');
  }
}

/**
 * The OpenAI-compatible and REST surface over the configured provider (interaction-modules §2
 * HTTP API). These calls use the env defaults: they belong to no community.
 */
export function mountLlmApiRoutes(app: App, svc: ServiceDeps, deps: LlmApiDeps) {
  const auth = svc.auth.require('service');
  const current = () => deps.llm[deps.env.AI_PROVIDER];

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/ai/chat/completions',
      summary: 'OpenAI-compatible chat completion (whole messages array passed through)',
      middleware: [auth] as const,
      request: { body: { required: true, content: { 'application/json': { schema: ChatCompletionBody } } } },
      responses: {
        200: {
          description: 'completion',
          content: { 'application/json': { schema: ChatCompletionResponse } },
        },
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const llm = current();
      const model = body.model ?? defaultModel(deps.env);
      const started = deps.clock.nowMs();
      const messages: ChatMessage[] = body.messages.map((m) => ({ role: m.role, content: m.content }));
      const completion: Completion = await upstream(deps, llm, () =>
        llm.complete({
          messages,
          model,
          temperature: body.temperature ?? deps.env.AI_TEMPERATURE,
          maxTokens: body.max_tokens ?? deps.env.AI_MAX_TOKENS,
        }),
      );
      const promptTokens = completion.promptTokens ?? messages.reduce((n, m) => n + words(m.content), 0);
      const completionTokens = completion.completionTokens ?? words(completion.content);
      const now = deps.clock.nowMs();
      return c.json(
        {
          id: `chatcmpl-${now}`,
          object: 'chat.completion' as const,
          created: Math.floor(now / 1000),
          model: completion.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant' as const, content: completion.content.trim() },
              finish_reason: 'stop',
            },
          ],
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens,
          },
          metadata: { provider: llm.provider, processing_time_ms: now - started },
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/ai/models',
      summary: 'Models of the configured provider (OpenAI list shape)',
      middleware: [auth] as const,
      responses: { 200: { description: 'models', content: { 'application/json': { schema: ModelList } } } },
    }),
    async (c) => {
      const llm = current();
      const models = await upstream(deps, llm, () => llm.listModels());
      return c.json(
        {
          object: 'list' as const,
          data: models.map((m) => ({ id: m.id, object: 'model' as const, owned_by: m.owned_by })),
          current_model: defaultModel(deps.env),
          current_provider: llm.provider,
        },
        200,
      );
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'post',
      path: '/api/v1/ai/generate',
      summary: 'Generate text for a prompt',
      params: z.object({}),
      body: GenerateBody,
    },
    async (c, { body }) => {
      const llm = current();
      const model = body.model ?? defaultModel(deps.env);
      const started = deps.clock.nowMs();
      const completion = await upstream(deps, llm, () =>
        llm.complete({
          messages: [
            { role: 'system', content: deps.env.SYSTEM_PROMPT },
            { role: 'user', content: body.prompt },
          ],
          model,
          temperature: body.temperature ?? deps.env.AI_TEMPERATURE,
          maxTokens: body.max_tokens ?? deps.env.AI_MAX_TOKENS,
        }),
      );
      return ok(c, {
        prompt: body.prompt,
        generated_text: completion.content.trim(),
        metadata: {
          provider: llm.provider,
          model: completion.model,
          processing_time_ms: deps.clock.nowMs() - started,
          user_id: body.user_id ?? null,
          platform: body.platform ?? null,
        },
      });
    },
  );

  restRoute(
    app,
    auth,
    {
      method: 'get',
      path: '/api/v1/ai/providers',
      summary: 'Configured providers and their health',
      params: z.object({}),
    },
    async (c) => {
      const entries = await Promise.all(
        PROVIDERS.map(async (name) => {
          const llm = deps.llm[name];
          let health: CheckStatus;
          try {
            health = await llm.health();
          } catch {
            health = 'error';
          }
          const baseUrl = name === 'ollama' ? deps.env.OLLAMA_BASE_URL : deps.env.OPENAI_BASE_URL;
          return [
            name,
            {
              name,
              base_url: displayUrl(baseUrl),
              model: name === 'ollama' ? deps.env.AI_MODEL : deps.env.OPENAI_MODEL,
              configured: llm.configured,
              current: name === deps.env.AI_PROVIDER,
              health,
            },
          ] as const;
        }),
      );
      return ok(c, { providers: Object.fromEntries(entries), current_provider: deps.env.AI_PROVIDER });
    },
  );
}
