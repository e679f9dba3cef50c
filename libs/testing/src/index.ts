export * from './test-env';
export * from './database';
export * from './kafka';
export * from './logger';
export * from './private-kafka';
export * from './service-app';
export * from './event-publisher';
export * from './service-under-test';
