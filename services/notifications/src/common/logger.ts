/** Injection token of the service's pino logger (the one AppModule.register receives). */
export const SERVICE_LOGGER = 'NOTIFICATIONS_LOGGER';
