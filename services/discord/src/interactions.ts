import type { Role, RouterEventInput } from '@waddlebot/core';

export const InteractionType = {
  Ping: 1,
  ApplicationCommand: 2,
  MessageComponent: 3,
  Autocomplete: 4,
  ModalSubmit: 5,
} as const;

export interface CommandOption {
  name: string;
  type: number;
  value?: unknown;
  focused?: boolean;
  options?: CommandOption[];
}

type Interaction = Record<string, any>;

/** The invoking user: `member.user` in a guild, `user` in a DM. */
export function interactionUser(ix: Interaction): { id: string; username: string; display: string } | null {
  const user = ix.member?.user ?? ix.user;
  if (!user || typeof user.id !== 'string') return null;
  const username = String(user.username ?? user.id);
  return { id: user.id, username, display: String(ix.member?.nick ?? user.global_name ?? username) };
}

function optionValues(options: CommandOption[] | undefined): string[] {
  const out: string[] = [];
  for (const o of options ?? []) {
    if (o.options) out.push(o.name, ...optionValues(o.options));
    else if (o.value !== undefined && o.value !== null && o.value !== '') out.push(String(o.value));
  }
  return out;
}

export type SlashCommandText = { kind: 'local_status' } | { kind: 'forward'; content: string };

/**
 * §6.1 slash mapping: `/command name:<cmd> args:<text>` → `!<cmd> <args>`; `/waddlebot help` →
 * `!help`; `/waddlebot status` is answered locally; any other `/x` → `!x <option values>`.
 */
export function slashCommandText(data: { name?: string; options?: CommandOption[] }): SlashCommandText {
  const name = String(data.name ?? '').toLowerCase();
  const options = data.options ?? [];
  if (name === 'waddlebot') {
    const sub =
      options.find((o) => o.type === 1)?.name ??
      String(options.find((o) => o.name === 'action')?.value ?? 'help');
    return sub === 'status' ? { kind: 'local_status' } : { kind: 'forward', content: '!help' };
  }
  if (name === 'command') {
    const cmd = String(options.find((o) => o.name === 'name')?.value ?? '')
      .trim()
      .replace(/^[!#]/, '');
    const args = String(options.find((o) => o.name === 'args')?.value ?? '').trim();
    return { kind: 'forward', content: `!${cmd || 'help'}${args ? ` ${args}` : ''}` };
  }
  const values = optionValues(options);
  return { kind: 'forward', content: `!${name}${values.length ? ` ${values.join(' ')}` : ''}` };
}

/** The focused option of an autocomplete request (possibly inside a subcommand). */
export function focusedOption(options: CommandOption[] | undefined): CommandOption | undefined {
  for (const o of options ?? []) {
    if (o.focused) return o;
    const inner = focusedOption(o.options);
    if (inner) return inner;
  }
  return undefined;
}

/** Modal inputs: action rows of text inputs → `{custom_id: value}`. */
export function modalValues(components: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  for (const row of Array.isArray(components) ? components : []) {
    for (const input of Array.isArray(row?.components) ? row.components : []) {
      if (typeof input?.custom_id === 'string') values[input.custom_id] = String(input.value ?? '');
    }
  }
  return values;
}

/** RouterEvent for an interaction of type 2, 3 or 5; `role` is the caller's platform role. */
export function interactionEvent(
  ix: Interaction,
  role: Role | undefined,
  receivedAt: Date,
  content: string,
): RouterEventInput | null {
  const user = interactionUser(ix);
  if (!user) return null;
  const type: number = ix.type;
  const data = ix.data ?? {};
  const metadata: Record<string, unknown> = {
    interaction_id: ix.id,
    ...(role ? { platform_role: role } : {}),
  };
  if (type === InteractionType.ApplicationCommand)
    Object.assign(metadata, { command_name: data.name, options: data.options ?? [] });
  if (type === InteractionType.MessageComponent)
    Object.assign(metadata, {
      custom_id: data.custom_id,
      component_type: data.component_type,
      values: data.values ?? [],
      message_id: ix.message?.id,
    });
  if (type === InteractionType.ModalSubmit)
    Object.assign(metadata, { custom_id: data.custom_id, values: modalValues(data.components) });
  return {
    platform: 'discord',
    server_id: typeof ix.guild_id === 'string' ? ix.guild_id : 'dm',
    channel_id: typeof ix.channel_id === 'string' ? ix.channel_id : (ix.channel?.id ?? ''),
    user_id: user.id,
    user_name: user.username,
    display_name: user.display,
    message_content: content,
    message_type: type === InteractionType.ApplicationCommand ? 'slashCommand' : 'interaction',
    event_id: String(ix.id),
    timestamp: receivedAt.toISOString(),
    metadata,
    reply_context: {
      application_id: ix.application_id,
      interaction_token: ix.token,
      interaction_id: ix.id,
      interaction_type: type,
      interaction_created_at: receivedAt.toISOString(),
      channel_id: typeof ix.channel_id === 'string' ? ix.channel_id : undefined,
    },
  };
}
