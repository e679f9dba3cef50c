// Nest-free entry point: services import this first (src/instrument.ts), before http, express or pg load.
export * from './src/tracing';
