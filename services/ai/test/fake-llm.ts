import {
  startFakeServer,
  type FakeResponse,
  type FakeServer,
  type RecordedRequest,
} from '@waddlebot/core/testing';

export type Answer = (req: RecordedRequest) => FakeResponse | Promise<FakeResponse>;

/** A recording Ollama: `/api/chat` answers with whatever `answer` says, `/api/tags` lists two models. */
export async function startFakeOllama(): Promise<FakeServer & { answer: (a: Answer | string) => void }> {
  const server = await startFakeServer();
  let current: Answer = () => ({
    body: { model: 'llama3.2', message: { role: 'assistant', content: 'ok' } },
  });
  server.on('POST', '/api/chat', (req) => current(req));
  server.on('GET', '/api/tags', { body: { models: [{ name: 'llama3.2' }, { name: 'mistral:7b' }] } });
  return Object.assign(server, {
    answer(a: Answer | string) {
      current =
        typeof a === 'string'
          ? () => ({ body: { model: 'llama3.2', done: true, message: { role: 'assistant', content: a } } })
          : a;
    },
  });
}

/** A recording OpenAI-compatible server that checks the bearer key like the real one. */
export async function startFakeOpenAi(
  key: string,
): Promise<FakeServer & { answer: (content: string) => void }> {
  const server = await startFakeServer();
  let content = 'ok';
  const authorised = (req: RecordedRequest) => req.headers.authorization === `Bearer ${key}`;
  const denied = { status: 401, body: { error: { message: 'Incorrect API key provided' } } };
  server.on('POST', '/chat/completions', (req) =>
    authorised(req)
      ? {
          body: {
            id: 'chatcmpl-x',
            object: 'chat.completion',
            model: req.json?.model ?? 'gpt-4o-mini',
            choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 11, completion_tokens: 4, total_tokens: 15 },
          },
        }
      : denied,
  );
  server.on('GET', '/models', (req) =>
    authorised(req)
      ? {
          body: {
            object: 'list',
            data: [
              { id: 'gpt-4o-mini', object: 'model', owned_by: 'openai' },
              { id: 'local-7b', object: 'model', owned_by: 'acme' },
            ],
          },
        }
      : denied,
  );
  return Object.assign(server, {
    answer(c: string) {
      content = c;
    },
  });
}

/** The last chat request's messages. */
export function lastMessages(server: FakeServer, path: string): { role: string; content: string }[] {
  const calls = server.calls('POST', path);
  const last = calls[calls.length - 1];
  if (!last) throw new Error(`no ${path} call recorded`);
  return last.json.messages;
}
