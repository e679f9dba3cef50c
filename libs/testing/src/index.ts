export * from './test-env';
export * from './database';
export * from './kafka';
export * from './logger';
