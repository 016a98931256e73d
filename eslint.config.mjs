// ESLint flat config: typescript-eslint's type-aware recommended rules over lib, spec, demos, bench.
// `npm run lint` (eslint .) must finish with zero errors; CI runs it (see .ci/run).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node's CommonJS globals, for the few plain .js/.cjs/.mjs files (the `globals` package is not needed for this). */
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'require', 'module', 'exports', '__dirname', '__filename', 'Buffer', 'setTimeout',
    'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'queueMicrotask',
    'AbortController', 'AbortSignal', 'URL', 'performance', 'structuredClone', 'globalThis',
  ].map((name) => [name, 'readonly']),
);

/** rxjs/internal/* is not public API: it moves between minor versions and is not in the exports map. */
const noRxjsInternals = {
  patterns: [
    {
      group: ['rxjs/internal', 'rxjs/internal/*'],
      message: "Import from 'rxjs' (public API) instead of 'rxjs/internal/*'.",
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', '**/*.d.ts', 'docs-site/**', 'tmp/**', '.stryker-tmp/**', 'reports/**'] },
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: nodeGlobals, sourceType: 'commonjs' },
    rules: { 'no-restricted-imports': ['error', noRxjsInternals] },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', noRxjsInternals],
      // Unused names are already compile errors (noUnusedLocals/noUnusedParameters); `_`-prefixed ones are intended.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      // `runApp(main)` is a statement by design (aiorun's `run()`): its promise never rejects and the
      // process exits on its own; everything else that returns a promise must be handled.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          ignoreVoid: true,
          allowForKnownSafeCalls: [
            { from: 'file', name: 'runApp', path: 'lib/core/runApp.ts' },
            { from: 'package', name: 'runApp', package: 'rxrun' },
          ],
        },
      ],
      // `let sub; … sub = source.subscribe(…)` where a callback created earlier reads `sub` is the RxJS idiom.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Wrong under TypeScript 6 narrowing: it calls `value as Partial<X> | null` on an `unknown` unnecessary
      // (lib/core/validate.ts checkScheduler), and removing the assertion breaks the build.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // Tests and demos poke at values typed `unknown`/`any` on purpose (events, mocks, JSON from child processes).
    files: ['spec/**/*.ts', 'demos/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Failure messages in tests stringify whatever they got; `[object Object]` there is harmless.
    files: ['spec/**/*.ts'],
    rules: { '@typescript-eslint/no-base-to-string': 'off' },
  },
);
