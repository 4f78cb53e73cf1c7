/** What went wrong with a calendar action, in words the user can act on. */
export type CalendarErrorKind = 'USAGE' | 'VALIDATION' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT';

export class CalendarError extends Error {
  constructor(
    readonly kind: CalendarErrorKind,
    message: string,
    /** The input field at fault, for REST `details`. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CalendarError';
  }
}

export const notFound = (id: number | string) => new CalendarError('NOT_FOUND', `Event #${id} not found`);
export const notAllowed = (action: string) =>
  new CalendarError('FORBIDDEN', `You don't have permission to ${action}.`);
