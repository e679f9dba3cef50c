// The dependency rule of the monorepo, shared by the root ESLint config and the fixture that
// proves it (tools/lint-fixtures/boundaries): a service may import libs, never another service;
// a lib imports only libs.
export const moduleBoundaries = [
  'error',
  {
    allow: [],
    enforceBuildableLibDependency: false,
    depConstraints: [
      { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:lib'] },
      { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
    ],
  },
];
