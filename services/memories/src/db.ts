import type { ColumnType, Generated } from 'kysely';
import type { DeliveryStatus } from '@waddlebot/core';

export const MEMORY_TYPES = ['quote', 'url', 'note'] as const;
export type MemoryType = (typeof MEMORY_TYPES)[number];
export const RECURRING_PATTERNS = ['daily', 'weekly', 'monthly'] as const;
export type RecurringPattern = (typeof RECURRING_PATTERNS)[number];

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface MemoriesTable {
  id: Generated<number>;
  community_id: string;
  entity_id: string | null;
  memory_type: MemoryType;
  title: string;
  content: string;
  url: string | null;
  author: string | null;
  context: string | null;
  tags: string[];
  created_by: string;
  created_by_name: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  is_active: Generated<boolean>;
  usage_count: Generated<number>;
  last_used: Timestamp | null;
}

export interface RemindersTable {
  id: Generated<number>;
  memory_id: number | null;
  community_id: string;
  entity_id: string;
  user_id: string;
  user_name: string;
  reminder_text: string;
  remind_at: Timestamp;
  created_at: Timestamp;
  is_sent: Generated<boolean>;
  sent_at: Timestamp | null;
  is_recurring: Generated<boolean>;
  recurring_pattern: RecurringPattern | null;
  recurring_end: Timestamp | null;
  /** Set on the later occurrences of a recurring series: when its first one was due. */
  series_start: Timestamp | null;
  is_active: Generated<boolean>;
  delivery_status: Generated<DeliveryStatus>;
  claimed_at: Timestamp | null;
  attempts: Generated<number>;
}

export interface MemoriesDB {
  memories: MemoriesTable;
  memories_reminders: RemindersTable;
}
