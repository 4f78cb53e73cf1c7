import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startHarness, twitchChat, type Harness } from './harness.js';

let h: Harness;

beforeAll(async () => {
  // Identity, labels and reputation point at closed ports here: the router must tolerate that.
  h = await startHarness({
    IDENTITY_URL: 'http://127.0.0.1:9',
    LABELS_URL: 'http://127.0.0.1:9',
    REPUTATION_URL: 'http://127.0.0.1:9',
  });
  h.fakes.module.on('POST', '/async', { status: 202, body: {} });
  await h.registerCommand({ command: 'so' });
  await h.registerCommand({ command: 'async', location_url: `${h.fakes.module.url}/async` });
});
afterAll(async () => h.close());

const jsonValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constantFrom(
    '!so @bob',
    '',
    '   ',
    'chatMessage',
    'banner',
    'chat',
    '-1',
    'x'.repeat(6000),
    '../../etc',
    '\u0000',
  ),
);

type Mutation = { kind: 'delete' | 'set' | 'add'; key: string; value: unknown };

function mutation(keys: string[]): fc.Arbitrary<Mutation> {
  return fc.record({
    kind: fc.constantFrom('delete', 'set', 'add') as fc.Arbitrary<Mutation['kind']>,
    key: fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 8 })),
    value: jsonValue,
  });
}

function apply(base: Record<string, unknown>, muts: Mutation[]) {
  const body: Record<string, unknown> = structuredClone(base);
  for (const m of muts) {
    if (m.kind === 'delete') delete body[m.key];
    else body[m.key] = m.value;
  }
  return body;
}

async function counts() {
  const n = (t: 'entities' | 'command_executions' | 'module_responses') =>
    h.db
      .selectFrom(t)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => Number(r.n));
  return {
    entities: await n('entities'),
    executions: await n('command_executions'),
    responses: await n('module_responses'),
  };
}

function expectEnvelopeOr200(res: { status: number; body: any }) {
  expect(res.status < 500).toBe(true);
  if (res.status !== 200) {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.body).toMatchObject({
      success: false,
      error: { code: expect.any(String), request_id: expect.any(String) },
    });
  }
}

/** 200 runs each; on the embedded database beside other test files that takes well over 30 s. */
const PROPERTY_TIMEOUT_MS = 180_000;

describe('mutated bodies never cause a 5xx and rejected ones write nothing', () => {
  it(
    'RouterEvent',
    async () => {
      const keys = Object.keys(twitchChat('x'));
      let i = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(mutation(keys), { minLength: 1, maxLength: 4 }), async (muts) => {
          const base = twitchChat('!so @bob', { server_id: `p${i++}` });
          const body = apply(base, muts);
          const before = await counts();
          const res = await h.post('/router/events', body);
          expectEnvelopeOr200(res);
          if (res.status !== 200) expect(await counts()).toEqual(before);
          else expect(res.body.success === true || res.body.success === false).toBe(true);
        }),
        { numRuns: 200 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );

  it(
    'ModuleResponse on /router/responses',
    async () => {
      const pending = await h.post('/router/events', twitchChat('!async'));
      expect(pending.body.outcome).toBe('pending');
      const base = {
        execution_id: pending.body.execution_id,
        session_id: pending.body.session_id,
        module_name: 'shoutout',
        success: true,
        response_action: 'chat',
        chat_message: 'ok',
        additional_responses: [{ response_action: 'ticker', ticker_text: 'hi' }],
      };
      await fc.assert(
        fc.asyncProperty(
          fc.array(mutation(Object.keys(base)), { minLength: 1, maxLength: 4 }),
          async (muts) => {
            const body = apply(base, muts);
            const before = await counts();
            const res = await h.post('/router/responses', body);
            expectEnvelopeOr200(res);
            if (res.status !== 200) expect(await counts()).toEqual(before);
            else expect(res.body).toMatchObject({ success: true });
          },
        ),
        { numRuns: 200 },
      );
    },
    PROPERTY_TIMEOUT_MS,
  );
});
