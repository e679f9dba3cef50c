export * from './domain.exception';
export * from './api-exception.filter';
export * from './validation';
export * from './bootstrap';
