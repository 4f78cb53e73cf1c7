import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export const ACTIVITY_ACTIONS = [
  'add',
  'checkout',
  'checkin',
  'delete',
  'update',
  'label_add',
  'label_remove',
] as const;
export type ActivityAction = (typeof ACTIVITY_ACTIONS)[number];

export interface ItemsTable {
  id: Generated<number>;
  community_id: string;
  item_name: string;
  description: string | null;
  labels: ColumnType<string[], string[] | undefined, string[]>;
  quantity: number;
  /** User key (contracts §14) of the creator; the display name sits beside it. */
  created_by: string;
  created_by_name: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface CheckoutsTable {
  id: Generated<number>;
  item_id: number;
  community_id: string;
  /** The borrower as named in chat (`@` stripped); matched case-insensitively on check-in. */
  checked_out_to: string;
  quantity: number;
  checked_out_by: string;
  checked_out_by_name: string | null;
  checked_out_at: Timestamp;
  /** null while the units are out. */
  returned_at: Timestamp | null;
  returned_by: string | null;
}

export interface ActivityTable {
  id: Generated<number>;
  community_id: string;
  /** Set to null when the item is deleted; `details.item_name` keeps the trail readable. */
  item_id: number | null;
  action: ActivityAction;
  performed_by: string;
  performed_by_name: string | null;
  details: ColumnType<Record<string, unknown>, string, string>;
  created_at: Timestamp;
}

export interface InventoryDB {
  inventory_items: ItemsTable;
  inventory_checkouts: CheckoutsTable;
  inventory_activity: ActivityTable;
}
