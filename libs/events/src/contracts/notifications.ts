// Every generated module of duemap.notifications.v1, re-exported so callers write `notifications.XxxSchema`
// without knowing which .proto file declares what.
export * from '../gen/duemap/notifications/v1/reminder_cancelled_pb';
export * from '../gen/duemap/notifications/v1/reminder_pb';
export * from '../gen/duemap/notifications/v1/reminder_scheduled_pb';
export * from '../gen/duemap/notifications/v1/reminder_sent_pb';
