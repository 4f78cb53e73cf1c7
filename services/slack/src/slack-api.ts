import {
  UpstreamError,
  notConfiguredError,
  platformRequest,
  type HttpClient,
  type ServiceDeps,
} from '@waddlebot/core';
import { missingSlackConfig, type SlackConfig } from './config.js';

export interface SlackApiResult {
  ok: boolean;
  error?: string;
  [field: string]: any;
}

/**
 * The Slack Web API (`SLACK_API_BASE_URL`) with the bot token. Slack answers HTTP 200 with
 * `ok:false` on errors; those count as failures (§7.2). 429 waits `Retry-After`.
 */
export class SlackApi {
  private readonly client: HttpClient;

  constructor(
    private readonly deps: Pick<ServiceDeps, 'httpClient' | 'logger'>,
    private readonly config: SlackConfig,
  ) {
    this.client = deps.httpClient(config.SLACK_API_BASE_URL, { retries: 0 });
  }

  /** `POST /<method>` with a JSON body, or `GET` with query parameters for read methods. */
  async call(
    method: string,
    args: Record<string, unknown>,
    opts: { read?: boolean } = {},
  ): Promise<SlackApiResult> {
    const missing = missingSlackConfig(this.config, 'api');
    if (missing.length > 0) throw notConfiguredError('slack', missing);
    const headers = { Authorization: `Bearer ${this.config.SLACK_BOT_TOKEN}` };
    const res = await platformRequest<SlackApiResult>(
      this.client,
      `/${method}`,
      opts.read
        ? { method: 'GET', headers, query: args as Record<string, string> }
        : {
            method: 'POST',
            headers: { ...headers, 'Content-Type': 'application/json; charset=utf-8' },
            body: JSON.stringify(args),
          },
      { unreachable: 'Slack API unreachable' },
    );
    const body =
      res.body && typeof res.body === 'object' ? res.body : { ok: false, error: `http_${res.status}` };
    if (!res.ok || body.ok !== true) {
      this.deps.logger.error('slack api call failed', {
        method,
        status: res.status,
        slack_error: body.error ?? null,
      });
      return { ...body, ok: false };
    }
    return body;
  }

  /** Like `call`, but a failure is a 502 for the caller. */
  async require(
    method: string,
    args: Record<string, unknown>,
    opts: { read?: boolean } = {},
  ): Promise<SlackApiResult> {
    const result = await this.call(method, args, opts);
    if (!result.ok) throw new UpstreamError('Slack delivery failed');
    return result;
  }
}
