import type { ColumnType, Generated } from 'kysely';
import type { DeliveryStatus } from '@waddlebot/core';

export const EVENT_STATUSES = ['pending', 'approved', 'rejected', 'cancelled'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const RECURRING_PATTERNS = ['daily', 'weekly', 'monthly', 'yearly'] as const;
export type RecurringPattern = (typeof RECURRING_PATTERNS)[number];

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface EventsTable {
  id: Generated<number>;
  community_id: string;
  entity_id: string;
  title: string;
  description: string | null;
  event_date: Timestamp;
  end_date: Timestamp | null;
  location: string | null;
  max_attendees: number | null;
  created_by: string;
  created_by_name: string | null;
  status: EventStatus;
  approved_by: string | null;
  approved_by_name: string | null;
  approved_at: Timestamp | null;
  rejection_reason: string | null;
  tags: string[];
  is_recurring: Generated<boolean>;
  recurring_pattern: RecurringPattern | null;
  recurring_end_date: Timestamp | null;
  parent_event_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AttendeesTable {
  id: Generated<number>;
  event_id: number;
  user_id: string;
  user_name: string | null;
  status: Generated<string>;
  joined_at: Timestamp;
}

export interface EventRemindersTable {
  id: Generated<number>;
  event_id: number;
  reminder_time: Timestamp;
  reminder_type: Generated<string>;
  message: string;
  sent: Generated<boolean>;
  sent_at: Timestamp | null;
  created_at: Timestamp;
  delivery_status: Generated<DeliveryStatus>;
  claimed_at: Timestamp | null;
  attempts: Generated<number>;
}

export interface SettingsTable {
  community_id: string;
  timezone: string;
  reminder_offsets_minutes: number[];
  updated_at: Timestamp;
}

export interface CalendarDB {
  calendar_events: EventsTable;
  calendar_event_attendees: AttendeesTable;
  calendar_event_reminders: EventRemindersTable;
  calendar_settings: SettingsTable;
}
