import {
  ForbiddenError,
  documentPlainRoutes,
  epochSecondsHeader,
  invalidPayload,
  parseJsonObject,
  readRawBody,
  requirePlatformConfig,
  verifySlackSignature,
  withinReplayWindow,
  type App,
} from '@waddlebot/core';
import type { Context } from 'hono';
import { missingSlackConfig } from '../config.js';
import { eventChannelId, eventUserId, isIgnoredMessage, mapSlackEvent } from '../events.js';
import { interactionEvent, readInteraction } from '../interactivity.js';
import type { SlackDeps, SlackReceiver } from '../receiver.js';
import { isStatusRequest, readSlashCommand, slashEvent } from '../slash-command.js';

const NOT_SET_UP = "WaddleBot isn't set up for this workspace yet.";
const CHANNEL_NOT_SET_UP = "WaddleBot isn't set up for this channel.";

/** §7.1: v0 HMAC over `v0:<timestamp>:<raw body>`, 5-minute window, on the raw bytes. */
async function verifiedBody(c: Context, deps: SlackDeps): Promise<Buffer> {
  const signature = c.req.header('X-Slack-Signature');
  const timestamp = c.req.header('X-Slack-Request-Timestamp');
  const raw = await readRawBody(c);
  if (!signature || !timestamp) throw new ForbiddenError('Missing request signature');
  if (!verifySlackSignature(deps.config.SLACK_SIGNING_SECRET!, timestamp, raw, signature)) {
    deps.logger.auth({ action: 'slack_request_verify', result: 'FAILURE', reason: 'signature' });
    throw new ForbiddenError('Invalid request signature');
  }
  const skew = deps.config.SLACK_MAX_SKEW_SECONDS;
  if (!withinReplayWindow(epochSecondsHeader(timestamp), deps.clock.nowMs(), skew, skew)) {
    deps.logger.auth({ action: 'slack_request_verify', result: 'FAILURE', reason: 'timestamp' });
    throw new ForbiddenError('Request timestamp outside the allowed window');
  }
  return raw;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** `/slack/events`, `/slack/slash` (+ `/slack/commands`), `/slack/actions`: verify, ack, forward in the background. */
export function mountWebhooks(app: App, deps: SlackDeps, slack: SlackReceiver) {
  const { pipeline, teams, config } = slack;
  const configured = requirePlatformConfig('slack', () => missingSlackConfig(config, 'webhooks'));
  const signed = ['X-Slack-Signature', 'X-Slack-Request-Timestamp'];
  const form = { contentType: 'application/x-www-form-urlencoded' };
  documentPlainRoutes(app, [
    {
      method: 'post',
      path: '/slack/events',
      summary: 'Events API: url_verification, event_callback (router-and-receivers §7.2)',
      headers: signed,
      body: { contentType: 'application/json' },
    },
    { method: 'post', path: '/slack/slash', summary: 'Slash commands (§7.3)', headers: signed, body: form },
    {
      method: 'post',
      path: '/slack/commands',
      summary: 'Alias of /slack/slash',
      headers: signed,
      body: form,
    },
    {
      method: 'post',
      path: '/slack/actions',
      summary: 'Interactivity payloads (§7.4)',
      headers: signed,
      body: form,
    },
  ]);

  app.post('/slack/events', configured, async (c) => {
    const body = parseJsonObject(await verifiedBody(c, deps));
    if (body.type === 'url_verification') {
      if (typeof body.challenge !== 'string' || body.challenge === '')
        throw invalidPayload('challenge', 'Required');
      return c.json({ challenge: body.challenge });
    }
    if (body.type !== 'event_callback')
      throw invalidPayload('type', 'must be url_verification or event_callback');
    const teamId = str(body.team_id);
    const eventId = str(body.event_id);
    const event = body.event;
    if (!teamId) throw invalidPayload('team_id', 'Required');
    if (!eventId) throw invalidPayload('event_id', 'Required');
    if (!event || typeof event !== 'object') throw invalidPayload('event', 'Required');
    if (!(await teams.monitored.isMonitored(teamId))) return c.body(null, 200);
    const userId = eventUserId(event);
    const fresh = await pipeline.record({
      event_id: eventId,
      event_type: str(event.type) || 'unknown',
      team_id: teamId,
      channel_id: eventChannelId(event) || null,
      user_id: userId ?? null,
      user_name: null,
      event_data: body,
      event_timestamp: typeof body.event_time === 'number' ? new Date(body.event_time * 1000) : null,
    });
    if (!fresh) return c.body(null, 200);
    pipeline.background(eventId, async () => {
      if (!userId || isIgnoredMessage(event, config.SLACK_BOT_USER_ID)) return;
      if (!(await teams.monitored.isMonitored(teamId, eventChannelId(event)))) return;
      const mapped = mapSlackEvent(body, await slack.users.get(teamId, userId));
      if (mapped) await pipeline.forwardAndDeliver(mapped, slack.deliverer);
    });
    return c.body(null, 200);
  });

  const slash = async (c: Context) => {
    const cmd = readSlashCommand(new URLSearchParams((await verifiedBody(c, deps)).toString('utf8')));
    if (typeof cmd === 'string') throw invalidPayload(cmd, 'Required');
    if (!(await teams.monitored.isMonitored(cmd.teamId)))
      return c.json({ response_type: 'ephemeral', text: NOT_SET_UP });
    if (!(await teams.monitored.isMonitored(cmd.teamId, cmd.channelId)))
      return c.json({ response_type: 'ephemeral', text: CHANNEL_NOT_SET_UP });
    if (isStatusRequest(cmd))
      return c.json({
        response_type: 'ephemeral',
        text: `WaddleBot is running in this workspace, ${cmd.userName}.`,
      });
    const fresh = await pipeline.record({
      event_id: cmd.triggerId,
      event_type: 'slash_command',
      team_id: cmd.teamId,
      channel_id: cmd.channelId || null,
      user_id: cmd.userId,
      user_name: cmd.userName,
      event_data: { command: cmd.command, text: cmd.text, channel_id: cmd.channelId },
      event_timestamp: deps.clock.now(),
    });
    if (!fresh) return c.body(null, 200);
    pipeline.background(cmd.triggerId, async () => {
      await pipeline.forwardAndDeliver(
        slashEvent(cmd, await slack.users.get(cmd.teamId, cmd.userId)),
        slack.deliverer,
      );
    });
    return c.body(null, 200);
  };
  app.post('/slack/slash', configured, slash);
  app.post('/slack/commands', configured, slash);

  app.post('/slack/actions', configured, async (c) => {
    const form = new URLSearchParams((await verifiedBody(c, deps)).toString('utf8'));
    const payload = parseJsonObject(form.get('payload') ?? '', 'payload');
    if (typeof payload.type !== 'string') throw invalidPayload('payload.type', 'Required');
    const ix = readInteraction(payload);
    if (typeof ix === 'string') throw invalidPayload(`payload.${ix}`, 'Required');
    // Without an id there is nothing to dedup or log by; the platform still gets its ack.
    if (!ix.eventId || !(await teams.monitored.isMonitored(ix.teamId, ix.channelId)))
      return c.body(null, 200);
    const fresh = await pipeline.record({
      event_id: ix.eventId,
      event_type: ix.type,
      team_id: ix.teamId,
      channel_id: ix.channelId || null,
      user_id: ix.userId,
      user_name: ix.userName,
      event_data: payload,
      event_timestamp: deps.clock.now(),
    });
    // §4.2: a payload type WaddleBot does not handle gets its raw log row only.
    if (!fresh || !ix.metadata) return c.body(null, 200);
    const metadata = ix.metadata;
    pipeline.background(ix.eventId, async () => {
      const { role } = await slack.users.get(ix.teamId, ix.userId);
      await pipeline.forwardAndDeliver(interactionEvent({ ...ix, metadata }, role), slack.deliverer);
    });
    return c.body(null, 200);
  });
}
