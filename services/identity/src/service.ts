import { defineService, mountInteraction, type ServiceDeps } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { clearExpiredTempPasswords } from './accounts.js';
import { handleIdentityCommand } from './chat-commands.js';
import { createCodeSender } from './code-delivery.js';
import { identityConfig } from './config.js';
import type { IdentityDB } from './db.js';
import type { IdentityConfig, IdentityDeps } from './identity-deps.js';
import { expireStaleVerifications } from './linking.js';
import { createMergeNotifier } from './merge-notifications.js';
import type { OAuthClients } from './oauth.js';
import { mountApiKeyRoutes } from './routes/api-key-routes.js';
import { mountAuthRoutes } from './routes/auth-routes.js';
import { mountIdentityRoutes } from './routes/identity-routes.js';
import { mountOAuthRoutes } from './routes/oauth-routes.js';
import { mountUserAdminRoutes } from './routes/user-admin-routes.js';
import { migrations } from './migrations/index.js';

const EXPIRY_JOB_MS = 5 * 60_000;
const TEMP_PASSWORD_JOB_MS = 60 * 60_000;

const built = new WeakMap<object, IdentityDeps>();

/** routes() and start() get the same ServiceDeps; both must share one notifier and sender. */
function identityDeps(deps: ServiceDeps<IdentityConfig>): IdentityDeps {
  let id = built.get(deps);
  if (!id) {
    const db = deps.db as Kysely<IdentityDB>;
    const router = deps.serviceClient('router');
    id = {
      db,
      clock: deps.clock,
      logger: deps.logger,
      state: deps.state,
      config: deps.config,
      router,
      codeSender: createCodeSender({
        db,
        router,
        logger: deps.logger,
        retryAttempts: deps.config.WHISPER_RETRY_ATTEMPTS,
        retryDelaySeconds: deps.config.WHISPER_RETRY_DELAY,
      }),
      mergeNotifier: createMergeNotifier({
        db,
        clock: deps.clock,
        logger: deps.logger,
        serviceClient: deps.serviceClient,
        subscribers: deps.config.USER_MERGE_SUBSCRIBERS,
        quickRetryDelaysMs: deps.config.MERGE_NOTIFY_QUICK_RETRY_MS,
        backoffSeconds: deps.config.MERGE_NOTIFY_BACKOFF_SECONDS,
        pollIntervalMs: deps.config.MERGE_NOTIFY_POLL_MS,
      }),
    };
    built.set(deps, id);
  }
  return id;
}

function every(ms: number, run: () => Promise<unknown>, onError: (err: unknown) => void) {
  const timer = setInterval(() => void run().catch(onError), ms);
  timer.unref();
  return () => clearInterval(timer);
}

export const service = defineService({
  name: 'identity',
  config: identityConfig,
  commands: (deps) => {
    const location_url = `${deps.config.IDENTITY_URL}/router/command`;
    const common = {
      location: 'internal' as const,
      type: 'container' as const,
      location_url,
      module_name: 'identity',
      module_type: 'core',
      enabled_by_default: true,
      trigger_type: 'command' as const,
      timeout: 30,
    };
    return [
      {
        ...common,
        command: 'identity',
        description: 'Link your Twitch, Discord and Slack accounts to one WaddleBot user',
        usage: '!identity link <platform> <username> | !identity unlink <platform> | !identity status',
      },
      {
        ...common,
        command: 'verify',
        description: 'Confirm a link with the code you received',
        usage: '!verify <code>',
      },
      {
        ...common,
        command: 'whoami',
        description: 'Your WaddleBot user and linked accounts',
        usage: '!whoami',
      },
    ];
  },
  migrations,
  // §3.6: a router that cannot be reached degrades identity (codes wait), it never makes it unready.
  readiness: (deps) => [
    {
      name: 'router',
      required: false,
      run: async () => {
        const res = await deps.serviceClient('router').get('/healthz', { timeoutMs: 1500, retries: 0 });
        if (!res.ok) throw new Error(`router answered ${res.status}`);
      },
    },
  ],
  routes(app, deps) {
    const id = identityDeps(deps);
    const clients: OAuthClients = {
      twitchAuth: deps.httpClient(deps.config.TWITCH_AUTH_BASE_URL, { retries: 0 }),
      twitchApi: deps.httpClient(deps.config.TWITCH_API_BASE_URL, { retries: 0 }),
      discordApi: deps.httpClient(deps.config.DISCORD_API_BASE_URL, { retries: 0 }),
      slackApi: deps.httpClient(deps.config.SLACK_API_BASE_URL, { retries: 0 }),
    };
    mountInteraction(app, deps, {
      paths: ['/router/command'],
      handle: (req) => handleIdentityCommand(id, req),
    });
    mountIdentityRoutes(app, deps, id);
    mountApiKeyRoutes(app, deps, id);
    mountAuthRoutes(app, deps, id);
    mountOAuthRoutes(app, deps, id, clients);
    mountUserAdminRoutes(app, deps, id);
  },
  start(deps) {
    const id = identityDeps(deps);
    const logError = (job: string) => (err: unknown) =>
      deps.logger.error('identity job failed', { job, err: (err as Error).message });
    const stopExpiry = every(
      EXPIRY_JOB_MS,
      () => expireStaleVerifications(id),
      logError('expire_verifications'),
    );
    const stopTemp = every(
      TEMP_PASSWORD_JOB_MS,
      () => clearExpiredTempPasswords(id),
      logError('temp_passwords'),
    );
    id.mergeNotifier.start();
    // Notifications stored before a restart go out now rather than at the first poll.
    id.mergeNotifier.kick();
    return async () => {
      stopExpiry();
      stopTemp();
      await id.mergeNotifier.stop();
      await id.codeSender.idle();
    };
  },
});
