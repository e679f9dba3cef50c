import { assertNever, DomainException, type ErrorDetail, type ErrorStatus } from '@duemap/http';

export enum NotificationsErrorCode {
  /** GET /reminders needs exactly one of invoiceId and customerId. */
  InvalidReminderFilter = 'INVALID_REMINDER_FILTER',
}

/** The notifications service's typed errors; the code decides the HTTP status, here only. */
export class NotificationsException extends DomainException<NotificationsErrorCode> {
  readonly status: ErrorStatus;

  constructor(code: NotificationsErrorCode, message: string, details: ErrorDetail[] = []) {
    super(code, message, details);
    this.status = NotificationsException.statusOf(code);
  }

  static statusOf(code: NotificationsErrorCode): ErrorStatus {
    switch (code) {
      case NotificationsErrorCode.InvalidReminderFilter:
        return 400;
      default:
        return assertNever(code);
    }
  }
}
