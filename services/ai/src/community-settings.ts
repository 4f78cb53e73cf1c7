import type { Kysely } from 'kysely';
import type { Clock } from '@waddlebot/core';
import { defaultModel, type AiEnv, type EventType } from './ai-config.js';
import type { AiDB, CommunitySettingsTable } from './db.js';

/** What one community's chat actually runs with: its overrides on top of the env defaults. */
export interface EffectiveSettings {
  community_id: string;
  provider: AiEnv['AI_PROVIDER'];
  system_prompt: string;
  model: string;
  temperature: number;
  max_tokens: number;
  response_prefix: string;
  passive_chat: boolean;
  event_types: EventType[];
  /** Fields the community set itself (the rest come from env). */
  overridden: string[];
  updated_by: string | null;
  updated_at: string | null;
}

/** A PUT body: a value sets the override, null drops it back to the env default. */
export interface SettingsChange {
  system_prompt?: string | null;
  model?: string | null;
  temperature?: number | null;
  max_tokens?: number | null;
  response_prefix?: string | null;
  passive_chat?: boolean | null;
  event_types?: EventType[] | null;
}

export const SETTING_FIELDS = [
  'system_prompt',
  'model',
  'temperature',
  'max_tokens',
  'response_prefix',
  'passive_chat',
  'event_types',
] as const;

type Row = {
  [K in keyof CommunitySettingsTable]: K extends 'updated_at' ? Date : CommunitySettingsTable[K];
};

export interface SettingsDeps {
  db: Kysely<AiDB>;
  clock: Clock;
  env: AiEnv;
}

export async function findCommunitySettings(db: Kysely<AiDB>, communityId: string): Promise<Row | undefined> {
  return (await db
    .selectFrom('ai_community_settings')
    .selectAll()
    .where('community_id', '=', communityId)
    .executeTakeFirst()) as Row | undefined;
}

export function effectiveSettings(env: AiEnv, communityId: string, row: Row | undefined): EffectiveSettings {
  const overridden = row ? SETTING_FIELDS.filter((f) => row[f] !== null) : [];
  return {
    community_id: communityId,
    provider: env.AI_PROVIDER,
    system_prompt: row?.system_prompt ?? env.SYSTEM_PROMPT,
    model: row?.model ?? defaultModel(env),
    temperature: row?.temperature ?? env.AI_TEMPERATURE,
    max_tokens: row?.max_tokens ?? env.AI_MAX_TOKENS,
    response_prefix: row?.response_prefix ?? env.RESPONSE_PREFIX,
    passive_chat: row?.passive_chat ?? env.AI_PASSIVE_CHAT,
    event_types: (row?.event_types as EventType[] | null) ?? env.EVENT_RESPONSE_TYPES,
    overridden,
    updated_by: row?.updated_by ?? null,
    updated_at: row ? new Date(row.updated_at).toISOString() : null,
  };
}

export async function loadEffectiveSettings(deps: SettingsDeps, communityId: string) {
  return effectiveSettings(deps.env, communityId, await findCommunitySettings(deps.db, communityId));
}

/** Upserts only the fields the change names, so two editors of different fields do not clobber each other. */
export async function changeCommunitySettings(
  deps: SettingsDeps,
  communityId: string,
  change: SettingsChange,
  updatedBy: string | null,
): Promise<EffectiveSettings> {
  const now = deps.clock.now();
  const values: Partial<Record<(typeof SETTING_FIELDS)[number], unknown>> = {};
  for (const field of SETTING_FIELDS) if (change[field] !== undefined) values[field] = change[field];
  await deps.db
    .insertInto('ai_community_settings')
    .values({ community_id: communityId, ...values, updated_by: updatedBy, updated_at: now } as never)
    .onConflict((oc) =>
      oc.column('community_id').doUpdateSet({ ...values, updated_by: updatedBy, updated_at: now } as never),
    )
    .execute();
  return loadEffectiveSettings(deps, communityId);
}
