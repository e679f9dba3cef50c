import { assertNever, DomainException, type ErrorDetail, type ErrorStatus } from '@duemap/http';

export enum NotificationsErrorCode {
  /** GET /reminders needs exactly one of invoiceId and customerId. */
  InvalidReminderFilter = 'INVALID_REMINDER_FILTER',
  /** GET /deliveries needs invoiceId or customerId. */
  InvalidDeliveryFilter = 'INVALID_DELIVERY_FILTER',
  /** No webhook subscription with that id (or not the caller's to see). */
  SubscriptionNotFound = 'SUBSCRIPTION_NOT_FOUND',
  /** A webhook URL that is not http(s) or reaches a refused address range. */
  SubscriptionUrlRefused = 'SUBSCRIPTION_URL_REFUSED',
  /** Too many subscriptions already. */
  SubscriptionLimitReached = 'SUBSCRIPTION_LIMIT_REACHED',
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
      case NotificationsErrorCode.InvalidDeliveryFilter:
        return 400;
      case NotificationsErrorCode.SubscriptionNotFound:
        return 404;
      case NotificationsErrorCode.SubscriptionUrlRefused:
        return 422;
      case NotificationsErrorCode.SubscriptionLimitReached:
        return 409;
      default:
        return assertNever(code);
    }
  }
}
