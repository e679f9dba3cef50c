// One Jest run, four projects (Immich's split): unit specs beside the code, integration specs
// against the real Postgres/Redis/Kafka, end-to-end specs that start services as processes, and
// the fault-injection suite that breaks those processes' infrastructure under load.
/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
      sourceMaps: 'inline',
    },
  ],
};
// Packages published as ES modules only: Jest's module loader cannot require them on Node 20, so
// they are compiled to CommonJS like our own code (@platformatic/kafka and its own: ADR 0013).
const esmOnly = ['@platformatic/kafka', '@platformatic/dynamic-buffer', '@platformatic/wasm-utils'];
transform[`/node_modules/(${esmOnly.join('|')})/.+\\.js$`] = [
  '@swc/jest',
  { jsc: { target: 'es2022' }, module: { type: 'commonjs' } },
];
const common = {
  transform,
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/.cache/', '/dist/', '/tools/lint-fixtures/'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{libs,services,deploy,tools}/**/*.spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/unit.setup.js'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/{libs,services,deploy,tools}/**/*.int-spec.ts'],
      // testTimeout is not a per-project option; a setup file sets it for tests and hooks alike.
      setupFilesAfterEnv: ['<rootDir>/tools/jest/integration.setup.js'],
      // One private broker per worker, wiped between spec files (libs/testing workerKafka).
      globalSetup: '<rootDir>/tools/jest/integration.global-setup.ts',
      globalTeardown: '<rootDir>/tools/jest/integration.global-teardown.ts',
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{libs,services,deploy,tools,e2e}/**/*.e2e-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/e2e.setup.js'],
    },
    {
      ...common,
      // The fault-injection suite: one stack, faults in sequence, minutes per spec; in band.
      displayName: 'faults',
      testMatch: ['<rootDir>/e2e/faults/**/*.faults-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/e2e/faults/faults.setup.js'],
    },
  ],
};
