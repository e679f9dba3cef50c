import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import { moduleBoundaries } from '../../eslint/module-boundaries.mjs';

export default [
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@nx': nx },
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries },
  },
];
