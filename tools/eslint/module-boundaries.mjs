// The dependency rule of the monorepo, shared by the root ESLint config and the fixture that
// proves it (tools/lint-fixtures/boundaries): a service may import libs, never another service;
// a lib imports only libs. Tests may also use the local-stack tooling (deploy/local), e.g. to run
// a private Kafka broker they can stop.
const constraints = (extra) => [
  'error',
  {
    allow: [],
    enforceBuildableLibDependency: false,
    depConstraints: [
      { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib', ...extra] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', ...extra] },
      { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:lib', 'type:tooling'] },
    ],
  },
];

export const moduleBoundaries = constraints([]);
export const moduleBoundariesForTests = constraints(['type:tooling']);
