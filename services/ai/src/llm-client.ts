import type { CheckStatus, HttpClient } from '@waddlebot/core';
import { llmTimeoutMs, openAiKey, type AiEnv, type ProviderName } from './ai-config.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface CompletionRequest {
  messages: ChatMessage[];
  model: string;
  temperature: number;
  maxTokens: number;
}

export interface Completion {
  content: string;
  model: string;
  promptTokens: number | null;
  completionTokens: number | null;
}

export interface ModelInfo {
  id: string;
  owned_by: string;
}

/** Why an LLM call gave no answer; the text is for logs only and never holds a key. */
export class LlmError extends Error {
  constructor(
    readonly kind: 'not_configured' | 'unreachable' | 'bad_status' | 'bad_answer',
    message: string,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export interface LlmClient {
  readonly provider: ProviderName;
  /** False when the provider needs a credential that is not set (contracts §17.4). */
  readonly configured: boolean;
  /** What an operator must set, for the NOT_CONNECTED message. */
  readonly missingSetting: string | null;
  complete(req: CompletionRequest): Promise<Completion>;
  listModels(): Promise<ModelInfo[]>;
  health(): Promise<CheckStatus>;
}

/** Caps concurrent LLM calls so a chat burst queues instead of overloading a local model. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

type MakeHttpClient = (baseUrl: string, opts: { timeoutMs: number; retries: number }) => HttpClient;

async function send<T>(call: () => Promise<{ ok: boolean; status: number; body: unknown }>): Promise<T> {
  let res: { ok: boolean; status: number; body: unknown };
  try {
    res = await call();
  } catch (err) {
    throw new LlmError('unreachable', (err as Error).message);
  }
  if (!res.ok) throw new LlmError('bad_status', `provider answered ${res.status}`);
  if (!res.body || typeof res.body !== 'object')
    throw new LlmError('bad_answer', 'provider answer is not JSON');
  return res.body as T;
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new LlmError('bad_answer', 'provider answer has no message content');
  return value;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function ollamaClient(http: HttpClient, healthHttp: HttpClient): Omit<LlmClient, 'provider'> {
  return {
    configured: true,
    missingSetting: null,
    async complete(req) {
      const body = await send<any>(() =>
        http.post('/api/chat', {
          model: req.model,
          messages: req.messages,
          stream: false,
          options: { temperature: req.temperature, num_predict: req.maxTokens },
        }),
      );
      return {
        content: text(body?.message?.content),
        model: typeof body.model === 'string' ? body.model : req.model,
        promptTokens: count(body.prompt_eval_count),
        completionTokens: count(body.eval_count),
      };
    },
    async listModels() {
      const body = await send<any>(() => http.get('/api/tags'));
      const models: unknown[] = Array.isArray(body.models) ? body.models : [];
      return models
        .map((m: any) => m?.name)
        .filter((n): n is string => typeof n === 'string')
        .map((id) => ({ id, owned_by: 'ollama' }));
    },
    async health() {
      await send(() => healthHttp.get('/api/tags'));
      return 'ok';
    },
  };
}

function openAiClient(
  http: HttpClient,
  healthHttp: HttpClient,
  apiKey: string | undefined,
): Omit<LlmClient, 'provider'> {
  const auth = () => {
    if (!apiKey) throw new LlmError('not_configured', 'no API key set');
    return { Authorization: `Bearer ${apiKey}` };
  };
  return {
    configured: Boolean(apiKey),
    missingSetting: apiKey ? null : 'OPENAI_API_KEY',
    async complete(req) {
      const headers = auth();
      const body = await send<any>(() =>
        http.post(
          '/chat/completions',
          {
            model: req.model,
            messages: req.messages,
            temperature: req.temperature,
            max_tokens: req.maxTokens,
          },
          { headers },
        ),
      );
      return {
        content: text(body?.choices?.[0]?.message?.content),
        model: typeof body.model === 'string' ? body.model : req.model,
        promptTokens: count(body.usage?.prompt_tokens),
        completionTokens: count(body.usage?.completion_tokens),
      };
    },
    async listModels() {
      const headers = auth();
      const body = await send<any>(() => http.get('/models', { headers }));
      const models: unknown[] = Array.isArray(body.data) ? body.data : [];
      return models
        .filter((m: any) => typeof m?.id === 'string')
        .map((m: any) => ({ id: m.id, owned_by: typeof m.owned_by === 'string' ? m.owned_by : 'openai' }));
    },
    async health() {
      if (!apiKey) return 'not_configured';
      await send(() => healthHttp.get('/models', { headers: auth() }));
      return 'ok';
    },
  };
}

/** Both providers, each reached only through its configured base URL (contracts §16). */
export function createLlmClients(env: AiEnv, makeHttp: MakeHttpClient): Record<ProviderName, LlmClient> {
  // No retries: a retried completion could double the cost and overrun the router's timeout.
  const opts = { timeoutMs: llmTimeoutMs(env), retries: 0 };
  // Health checks must answer inside /readyz's 2 s budget.
  const healthOpts = { timeoutMs: Math.min(llmTimeoutMs(env), 1500), retries: 0 };
  const gate = new Semaphore(env.MAX_CONCURRENT_REQUESTS);
  const gated = (provider: ProviderName, c: Omit<LlmClient, 'provider'>): LlmClient => ({
    ...c,
    provider,
    complete: (req) => gate.run(() => c.complete(req)),
  });
  return {
    ollama: gated(
      'ollama',
      ollamaClient(makeHttp(env.OLLAMA_BASE_URL, opts), makeHttp(env.OLLAMA_BASE_URL, healthOpts)),
    ),
    openai: gated(
      'openai',
      openAiClient(
        makeHttp(env.OPENAI_BASE_URL, opts),
        makeHttp(env.OPENAI_BASE_URL, healthOpts),
        openAiKey(env),
      ),
    ),
  };
}

/** A base URL for display: any userinfo (`user:pass@`) removed. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return '';
  }
}
