import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Env } from '../../src/config/index.js';
import { pipelineOf } from '../../src/receiver/index.js';
import type { Config, ServiceDefinition, ServiceDeps } from '../../src/service/define.js';
import type { RunningService } from '../../src/service/runtime.js';
import {
  createTestRuntime,
  startFakeServer,
  type FakeServer,
  type RecordedRequest,
  type TestRuntime,
} from '../../src/testing/index.js';

/**
 * What every receiver test file starts with: a fake router, a fake platform API on 127.0.0.1,
 * one receiver in a test runtime pointed at both, and fresh fake answers before each test.
 */
type ShapeOf<D> = D extends ServiceDefinition<infer S, any> ? S : never;
type DbOf<D> = D extends ServiceDefinition<any, infer DB> ? DB : never;

/** A started receiver as `rt.add` returns it, typed by its definition's config and tables. */
export type StartedReceiver<D extends ServiceDefinition<any, any>> = Omit<RunningService, 'deps'> & {
  deps: ServiceDeps<Config<ShapeOf<D>>, DbOf<D>>;
};

export interface ReceiverHarness<D extends ServiceDefinition<any, any>> {
  rt: TestRuntime;
  router: FakeServer;
  /** Plays the platform API (Helix + Twitch OAuth, Discord REST, Slack Web API + response_url sink). */
  platform: FakeServer;
  svc: StartedReceiver<D>;
  /** Resolves once the receiver's background router work has finished. */
  idle(): Promise<void>;
}

/**
 * Registers the vitest hooks that run the harness; `started` receives it once the receiver is up
 * (test files copy its parts into their own variables there).
 */
export function useReceiverHarness<D extends ServiceDefinition<any, any>>(opts: {
  service: D;
  /** Receiver env besides ROUTER_URL; router retries are shortened unless set here. */
  env: (platform: FakeServer) => Env;
  /** Answers of the fake platform, installed again before every test. */
  playPlatform: (platform: FakeServer) => void;
  /** Monitored channels and other rows every test of the file expects. */
  seed?: (h: ReceiverHarness<D>) => Promise<void>;
  started: (h: ReceiverHarness<D>) => void;
}): void {
  const h = {} as ReceiverHarness<D>;
  beforeAll(async () => {
    h.router = await startFakeServer();
    h.platform = await startFakeServer();
    h.rt = await createTestRuntime({
      env: { ROUTER_URL: h.router.url, RECEIVER_RETRY_DELAYS_MS: '5,10', ...opts.env(h.platform) },
    });
    h.svc = (await h.rt.add(opts.service)) as StartedReceiver<D>;
    h.idle = () => pipelineOf(h.svc.deps).idle();
    playRouter(h.router);
    opts.playPlatform(h.platform);
    await opts.seed?.(h);
    opts.started(h);
  });
  afterAll(async () => {
    await h.rt?.close();
    await h.router?.close();
    await h.platform?.close();
  });
  beforeEach(() => {
    h.router.reset();
    h.platform.reset();
    playRouter(h.router);
    opts.playPlatform(h.platform);
  });
}

const RESULT_BASE = {
  success: true,
  session_id: 's-1',
  execution_id: 'e-1',
  processed: true,
  module_responses: [],
  event_modules_executed: 0,
  error: null,
};

/**
 * The RouterResult (contracts §8) a router with a shoutout module would answer, following the
 * reply policy of router-and-receivers §2.3: `!so <name>` executes; `!two` answers twice, `!quiet`
 * not at all, `!long` with 1,199 characters; `!nope` is unknown (an ephemeral reply only for
 * slash commands and interactions); anything else is plain chat or an event.
 */
export function routerResultFor(event: any) {
  const text: string = event?.message_content ?? '';
  const executed = (command: string, replies: unknown[]) => ({
    ...RESULT_BASE,
    outcome: 'executed',
    command,
    replies,
  });
  const so = /^!so\s+@?(\S+)/.exec(text);
  if (so)
    return executed('so', [
      { type: 'chat', text: `${so[1]} is awesome, go follow!`, reply_to: event.metadata?.message_id },
    ]);
  if (text.startsWith('!two'))
    return executed('two', [
      { type: 'chat', text: 'one' },
      { type: 'chat', text: 'two' },
    ]);
  if (text.startsWith('!quiet')) return executed('quiet', []);
  if (text.startsWith('!long')) return executed('long', [{ type: 'chat', text: 'word '.repeat(240).trim() }]);
  if (text.startsWith('!nope')) {
    const answersPrivately = ['slashCommand', 'interaction'].includes(event?.message_type);
    return {
      ...RESULT_BASE,
      success: false,
      outcome: 'unknown_command',
      command: 'nope',
      replies: answersPrivately ? [{ type: 'chat', text: 'Unknown command !nope', ephemeral: true }] : [],
      error: { code: 'UNKNOWN_COMMAND', message: 'Unknown command !nope' },
    };
  }
  return {
    ...RESULT_BASE,
    outcome: event?.message_type === 'chatMessage' ? 'not_command' : 'event',
    command: null,
    replies: [],
  };
}

/** The fake router: RouterResults for `/router/events` (after `delayMs`), a registry for autocomplete. */
export function playRouter(router: FakeServer, opts: { delayMs?: number } = {}) {
  router.on('POST', '/router/events', (req: RecordedRequest) => ({
    status: 200,
    body: routerResultFor(req.json),
    delayMs: opts.delayMs,
  }));
  router.on('GET', '/router/commands', {
    body: {
      success: true,
      data: {
        commands: [
          { command: '!so', description: 'Shout out' },
          { command: '!song', description: 'Now playing' },
          { command: '!help', description: '' },
        ],
        total: 3,
      },
    },
  });
}
