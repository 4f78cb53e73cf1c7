import {
  notConfiguredError,
  platformRequest,
  type HttpClient,
  type HttpResponse,
  type RequestOptions,
  type ServiceDeps,
} from '@waddlebot/core';
import { missingDiscordConfig, type DiscordConfig } from './config.js';

/**
 * Discord REST (`DISCORD_API_BASE_URL`): bot-authenticated calls, and interaction webhooks
 * (authenticated by the token in their path). 429s wait `retry_after` (platformRequest).
 */
export class DiscordApi {
  private readonly client: HttpClient;

  constructor(
    deps: Pick<ServiceDeps, 'httpClient'>,
    private readonly config: DiscordConfig,
  ) {
    this.client = deps.httpClient(config.DISCORD_API_BASE_URL, { retries: 0 });
  }

  private call<T>(path: string, opts: RequestOptions): Promise<HttpResponse<T>> {
    return platformRequest<T>(this.client, path, opts, { unreachable: 'Discord API unreachable' });
  }

  /** A call as the bot (`Authorization: Bot <token>`). */
  asBot<T = any>(path: string, opts: RequestOptions = {}): Promise<HttpResponse<T>> {
    const missing = missingDiscordConfig(this.config, 'bot');
    if (missing.length > 0) throw notConfiguredError('discord', missing);
    return this.call<T>(path, {
      ...opts,
      headers: { ...opts.headers, Authorization: `Bot ${this.config.DISCORD_BOT_TOKEN}` },
    });
  }

  /** `/webhooks/{application_id}/{interaction_token}…`: no bot token needed or sent. */
  interactionWebhook<T = any>(
    applicationId: string,
    token: string,
    suffix: string,
    opts: RequestOptions = {},
  ): Promise<HttpResponse<T>> {
    return this.call<T>(
      `/webhooks/${encodeURIComponent(applicationId)}/${encodeURIComponent(token)}${suffix}`,
      opts,
    );
  }
}
