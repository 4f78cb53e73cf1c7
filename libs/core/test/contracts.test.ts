import { describe, expect, it } from 'vitest';
import {
  CommunityIdSchema,
  ModuleRequestSchema,
  ModuleResponseSchema,
  OutboundMessageSchema,
  RouterEventSchema,
  SendBodySchema,
  effectiveAction,
  entityIdOf,
  hasRole,
  maxRole,
  parseCommand,
  parseEntityId,
  permissionsFor,
  retiredUserKeys,
  tokenise,
  userKeyOf,
} from '../src/index.js';

describe('tokeniser (contracts §9.1)', () => {
  it.each([
    [
      'create "Game Night" "2025-12-01 20:00" Discord 8',
      ['create', 'Game Night', '2025-12-01 20:00', 'Discord', '8'],
    ],
    ['a  b\tc', ['a', 'b', 'c']],
    ['say "he said \\"hi\\""', ['say', 'he said "hi"']],
    ['x "" y', ['x', '', 'y']],
    ['add “HDMI cable” 3', ['add', 'HDMI cable', '3']],
    ['note "unterminated quote runs', ['note', 'unterminated quote runs']],
    ['', []],
  ])('%s', (input, expected) => {
    expect(tokenise(input)).toEqual(expected);
  });

  it('parses commands: prefix, lower-cased name, verbatim args text', () => {
    expect(parseCommand('  !Inventory checkout "HDMI cable" bob')).toEqual({
      prefix: '!',
      command: 'inventory',
      args: ['checkout', 'HDMI cable', 'bob'],
      args_text: 'checkout "HDMI cable" bob',
    });
    expect(parseCommand('#weather Berlin')?.prefix).toBe('#');
    expect(parseCommand('! nice')).toBeNull();
    expect(parseCommand('hello !so')).toBeNull();
    expect(parseCommand('?so', '!#')).toBeNull();
  });
});

describe('roles (contracts §4)', () => {
  it('effective role is the max; permissions accumulate up the ladder', () => {
    expect(maxRole('member', 'moderator', null)).toBe('moderator');
    expect(hasRole('admin', 'moderator')).toBe(true);
    expect(hasRole('vip', 'moderator')).toBe(false);
    expect(permissionsFor('member')).toEqual(['chat.send', 'commands.basic', 'reputation.view']);
    expect(permissionsFor('moderator')).toContain('community.add_entity');
    expect(permissionsFor('moderator')).not.toContain('users.ban');
    expect(permissionsFor('owner')).toContain('community.delete');
    expect(permissionsFor('vip', ['users.ban'])).toContain('users.ban');
  });
});

describe('ids (contracts §3)', () => {
  it('builds and parses entity ids', () => {
    expect(entityIdOf('twitch', '1001')).toBe('twitch:1001');
    expect(entityIdOf('discord', 'G1', 'C1')).toBe('discord:G1:C1');
    expect(parseEntityId('slack:T1:C9')).toEqual({ platform: 'slack', server_id: 'T1', channel_id: 'C9' });
    expect(parseEntityId('twitch+1001')).toBeNull();
    expect(parseEntityId('kick:1')).toBeNull();
    expect(userKeyOf({ uid: '311', id: '555' }, 'twitch')).toBe('311');
    expect(userKeyOf({ uid: null, id: '555' }, 'twitch')).toBe('twitch:555');
  });
});

const event = {
  platform: 'twitch',
  server_id: '1001',
  user_id: '555',
  user_name: 'alice',
  message_content: '!so @bob',
  message_type: 'chatMessage',
  event_id: 'm1',
};

describe('wire schemas', () => {
  it('RouterEvent: defaults, enum errors, blank chat refused, platform_role checked', () => {
    const parsed = RouterEventSchema.parse(event);
    expect(parsed).toMatchObject({ channel_id: '', alias_depth: 0, metadata: {} });
    const badType = RouterEventSchema.safeParse({ ...event, message_type: 'shout' });
    expect(badType.success).toBe(false);
    expect(badType.error!.issues[0]!.message).toContain('chatMessage');
    expect(RouterEventSchema.safeParse({ ...event, message_content: '  ' }).success).toBe(false);
    expect(
      RouterEventSchema.safeParse({ ...event, message_type: 'follow', message_content: '' }).success,
    ).toBe(true);
    expect(RouterEventSchema.safeParse({ ...event, metadata: { platform_role: 'king' } }).success).toBe(
      false,
    );
    expect(RouterEventSchema.safeParse({ ...event, server_id: 'a b' }).success).toBe(false);
    expect(RouterEventSchema.safeParse({ ...event, message_content: 'x'.repeat(5001) }).success).toBe(false);
  });

  it('ModuleRequest accepts the contracts §9 example and a numeric community id', () => {
    const req = ModuleRequestSchema.parse({
      session_id: 's',
      execution_id: 'e',
      command: 'inventory',
      args: ['checkout'],
      entity_id: 'twitch:123',
      community_id: 42,
      platform: 'twitch',
      server_id: '123',
      user: { id: '98765', name: 'alice', uid: '311' },
      user_context: { role: 'moderator', platform_role: 'moderator', permissions: [], labels: ['memories'] },
    });
    expect(req.community_id).toBe('42');
    expect(ModuleRequestSchema.safeParse({ execution_id: 'e' }).success).toBe(false);
  });

  it('ModuleResponse: omitted action is chat when chat_message is non-empty', () => {
    expect(effectiveAction(ModuleResponseSchema.parse({ success: true, chat_message: 'hi' }))).toBe('chat');
    expect(effectiveAction(ModuleResponseSchema.parse({ success: true, chat_message: '' }))).toBeNull();
    expect(ModuleResponseSchema.safeParse({ success: true, response_action: 'dance' }).success).toBe(false);
  });

  it('send body needs entity_id unless every reply is a dm', () => {
    expect(SendBodySchema.safeParse({ replies: [{ type: 'dm', user_id: '1', text: 'x' }] }).success).toBe(
      true,
    );
    expect(SendBodySchema.safeParse({ replies: [{ type: 'chat', text: 'x' }] }).success).toBe(false);
    expect(
      SendBodySchema.safeParse({ entity_id: 'discord:G:C', replies: [{ type: 'dm', text: 'x' }] }).success,
    ).toBe(false);
  });

  it('outbound messages: chat needs a channel-level entity of the same platform; dm needs a user', () => {
    const base = { text: 'hi', module_name: 'calendar', idempotency_key: 'calendar:reminder:1' };
    expect(
      OutboundMessageSchema.safeParse({ ...base, platform: 'twitch', type: 'chat', entity_id: 'twitch:1001' })
        .success,
    ).toBe(true);
    expect(
      OutboundMessageSchema.safeParse({ ...base, platform: 'discord', type: 'chat', entity_id: 'discord:G1' })
        .success,
    ).toBe(false);
    expect(
      OutboundMessageSchema.safeParse({ ...base, platform: 'slack', type: 'chat', entity_id: 'twitch:1' })
        .success,
    ).toBe(false);
    expect(
      OutboundMessageSchema.safeParse({ ...base, platform: 'twitch', type: 'dm', user_name: 'AliceTV' })
        .success,
    ).toBe(true);
    expect(OutboundMessageSchema.safeParse({ ...base, platform: 'twitch', type: 'dm' }).success).toBe(false);
    expect(
      OutboundMessageSchema.safeParse({
        ...base,
        platform: 'twitch',
        type: 'chat',
        entity_id: 'twitch:1',
        text: 'x'.repeat(2001),
      }).success,
    ).toBe(false);
  });
});

describe('CommunityIdSchema', () => {
  it('accepts numbers and decimal strings, drops leading zeros and keeps every digit of large ids', () => {
    expect(CommunityIdSchema.parse(7)).toBe('7');
    expect(CommunityIdSchema.parse('007')).toBe('7');
    expect(CommunityIdSchema.parse('0')).toBe('0');
    expect(CommunityIdSchema.parse('9007199254740993')).toBe('9007199254740993');
    expect(CommunityIdSchema.safeParse('7a').success).toBe(false);
    expect(CommunityIdSchema.safeParse(-3).success).toBe(false);
  });
});

describe('retiredUserKeys (contracts §14)', () => {
  it('the old uid and each merged identity key, once each, never the surviving uid', () => {
    const identities = [
      { platform: 'twitch' as const, platform_user_id: '42' },
      { platform: 'discord' as const, platform_user_id: '7' },
      { platform: 'twitch' as const, platform_user_id: '42' },
    ];
    expect(retiredUserKeys({ from_uid: 'u-old', into_uid: 'u-new', identities })).toEqual([
      'u-old',
      'twitch:42',
      'discord:7',
    ]);
    expect(retiredUserKeys({ from_uid: 'u-old', into_uid: 'twitch:42', identities })).toEqual([
      'u-old',
      'discord:7',
    ]);
    expect(retiredUserKeys({ from_uid: 'u-new', into_uid: 'u-new', identities: [] })).toEqual([]);
  });
});
