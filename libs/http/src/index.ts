export * from './domain.exception';
export * from './api-exception.filter';
export * from './validation';
export * from './bootstrap';
export * from './openapi';
export * from './service-platform.module';
export * from './run-service';
export * from './outbound-url';
