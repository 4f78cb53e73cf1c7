/**
 * A refusal the user caused (bad value, unknown item, wrong state). Chat turns it into a
 * `success:false` answer, REST into 400/404/409; the message is always safe to show.
 */
export class InventoryError extends Error {
  constructor(
    readonly kind: 'validation' | 'not_found' | 'conflict',
    message: string,
    /** The input field at fault, for REST `details`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'InventoryError';
  }
}

export const invalid = (message: string, field?: string) => new InventoryError('validation', message, field);
export const conflict = (message: string) => new InventoryError('conflict', message);
export const noSuchItem = (name: string) => new InventoryError('not_found', `No item named '${name}'`);
