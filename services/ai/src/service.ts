import { defineService, mountInteraction, mountUserMergedRoute, type CommandSeed } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { aiConfigShape, type AiEnv } from './ai-config.js';
import { MODULE_NAME, handleAiRequest } from './ai-interaction.js';
import { ConversationHistory } from './conversation-history.js';
import type { AiDB } from './db.js';
import { createLlmClients, type LlmClient } from './llm-client.js';
import { migrations } from './migrations/index.js';
import { mountCommunityConfigRoutes } from './routes/community-config.js';
import { mountLlmApiRoutes } from './routes/llm-api.js';
import { mergeUser } from './user-merge.js';

/** Conversations held per process before the least recently used are dropped. */
const MAX_CONVERSATIONS = 10_000;

/** Provider clients are built once per deps object, so routes and readiness share breakers and the gate. */
const clientsByConfig = new WeakMap<object, Record<AiEnv['AI_PROVIDER'], LlmClient>>();

export const service = defineService({
  name: 'ai',
  config: aiConfigShape,
  migrations,
  commands: (deps) => {
    const interaction = `${deps.config.AI_URL}/interaction`;
    const row = {
      location_url: interaction,
      module_name: MODULE_NAME,
      module_type: 'interaction',
      // The LLM call stops at AI_TIMEOUT_MS (25 s by default), inside this.
      timeout: 30,
    };
    const eventRows: CommandSeed[] = deps.config.RESPOND_TO_EVENTS
      ? deps.config.EVENT_RESPONSE_TYPES.map((type) => ({
          ...row,
          command: `ai_response_${type}`,
          description: `AI thanks for ${type} events`,
          trigger_type: 'event',
          event_types: [type],
          priority: 100,
        }))
      : [];
    return [
      {
        ...row,
        command: 'ai',
        aliases: ['ask'],
        description: 'Ask the AI assistant a question',
        usage: '!ai <question>',
        trigger_type: 'command',
        priority: 50,
        // About one question per 10 s per user and channel: LLM calls cost money (interaction-modules §2).
        rate_limit: 6,
      },
      ...eventRows,
      {
        ...row,
        command: 'ai_response_chatmessage',
        description: 'AI passive chat: answers greetings, farewells and questions',
        trigger_type: 'event',
        event_types: ['chatMessage'],
        priority: 100,
        // Every chat message would reach ai; channels opt in unless the deployment turns it on.
        enabled_by_default: deps.config.AI_PASSIVE_CHAT,
      },
    ];
  },
  readiness: (deps) => [
    {
      name: 'upstream',
      required: false,
      run: () => llmClients(deps.config, deps.httpClient)[deps.config.AI_PROVIDER].health(),
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<AiDB>;
    const env: AiEnv = deps.config;
    const clients = llmClients(env, deps.httpClient);
    const history = new ConversationHistory(deps.clock, {
      maxExchanges: env.CONTEXT_HISTORY_LIMIT,
      ttlMs: env.CONTEXT_TTL_MINUTES * 60_000,
      maxConversations: MAX_CONVERSATIONS,
    });
    const interactionDeps = {
      db,
      clock: deps.clock,
      env,
      logger: deps.logger,
      kv: deps.state.kv,
      metrics: deps.metrics,
      llm: clients[env.AI_PROVIDER],
      history,
    };
    mountInteraction(app, deps, {
      paths: ['/interaction'],
      handle: (req) => handleAiRequest(interactionDeps, req),
    });
    mountLlmApiRoutes(app, deps, { env, clock: deps.clock, logger: deps.logger, llm: clients });
    mountCommunityConfigRoutes(app, deps, { db, clock: deps.clock, env });
    mountUserMergedRoute(app, deps, (m) => mergeUser(db, history, m));
  },
});

function llmClients(env: AiEnv, makeHttp: Parameters<typeof createLlmClients>[1]) {
  let clients = clientsByConfig.get(env);
  if (!clients) clientsByConfig.set(env, (clients = createLlmClients(env, makeHttp)));
  return clients;
}
