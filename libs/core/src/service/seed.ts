import { CommandSeedSchema, type CommandSeed } from '../contracts/messages.js';
import type { ServiceDeps } from './define.js';

/**
 * Upserts the service's registry rows into the router, one `POST /router/admin/commands` per row
 * (contracts §9.2; the router turns `aliases` into extra rows), retrying with back-off until the
 * router answers. Never blocks start-up and never throws.
 */
export async function seedCommands(
  deps: Pick<ServiceDeps, 'serviceClient' | 'logger'>,
  seeds: CommandSeed[],
  opts: { maxAttempts?: number; initialDelayMs?: number; maxDelayMs?: number } = {},
): Promise<void> {
  const pending = seeds.map((s) => CommandSeedSchema.parse(s));
  const router = deps.serviceClient('router');
  const maxAttempts = opts.maxAttempts ?? 20;
  let delay = opts.initialDelayMs ?? 500;
  for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt++) {
    while (pending.length > 0) {
      const row = pending[0]!;
      let status: number;
      try {
        const res = await router.post('/router/admin/commands', row, { retries: 0, timeoutMs: 10_000 });
        status = res.status;
        if (!res.ok && res.status >= 400 && res.status < 500 && res.status !== 404 && res.status !== 429) {
          deps.logger.error('router refused a command row', {
            command: row.command,
            status: res.status,
            body: res.text.slice(0, 300),
          });
          pending.shift();
          continue;
        }
      } catch {
        status = 0; // router not reachable yet
      }
      if (status >= 200 && status < 300) {
        pending.shift();
        continue;
      }
      break;
    }
    if (pending.length === 0) break;
    await new Promise((r) => setTimeout(r, delay).unref());
    delay = Math.min(delay * 2, opts.maxDelayMs ?? 30_000);
  }
  if (pending.length === 0)
    deps.logger.system('commands seeded', {
      action: 'seed_commands',
      result: 'SUCCESS',
      count: seeds.length,
    });
  else
    deps.logger.error('gave up seeding commands', {
      action: 'seed_commands',
      result: 'FAILURE',
      remaining: pending.length,
    });
}
