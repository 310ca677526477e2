import tseslint from 'typescript-eslint'
import noDialectNameComparison from './eslint/no-dialect-name-comparison.js'
import noImportCycle from './eslint/no-import-cycle.js'

/**
 * The layers, lowest first: a file may import from its own layer and the ones
 * below it, never from one above (ops <- dialects <- engine <- glance <- cli).
 * Each entry forbids, in its folder, relative imports that reach a higher one.
 */
const LAYERS = ['ops', 'dialects', 'engine', 'glance', 'cli']
const layerRules = LAYERS.slice(0, -1).map((layer, i) => {
  const higher = LAYERS.slice(i + 1)
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^\\.\\.?/(?:\\.\\./)*(?:${higher.join('|')})/`,
              message: `src/${layer} is below ${higher.map((h) => `src/${h}`).join(', ')}: a lower layer never imports a higher one (ops <- dialects <- engine <- glance <- cli).`,
            },
          ],
        },
      ],
    },
  }
})

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] }] },
      ],
      // An async function that does not await still turns a throw into a
      // rejection, which is what our Promise-returning interfaces promise.
      '@typescript-eslint/require-await': 'off',
      // Driver values are `unknown`; String() of them is the rendering we mean.
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },
  {
    // Tests read JSON output and driver rows loosely, and narrow with casts for the reader.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  { files: ['eslint.config.js', 'eslint/**/*.js', 'bench/**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  ...layerRules,
  {
    files: ['src/**/*.ts'],
    plugins: { local: { rules: { 'no-import-cycle': noImportCycle, 'no-dialect-name-comparison': noDialectNameComparison } } },
    rules: {
      'local/no-import-cycle': 'error',
      // Small functions with one job: a longer one is split (tables, catalogue reads, option groups).
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Every database difference lives in src/dialects: elsewhere code asks the dialect, never compares its name.
    files: ['src/**/*.ts'],
    ignores: ['src/dialects/**'],
    rules: { 'local/no-dialect-name-comparison': 'error' },
  },
  {
    // A revision's before/after case sits beside it (src/glance/versions/*.check.ts) and may use
    // test/support; the product itself never reaches into test/ or a check file (not packed).
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.check.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?:\\.\\./)+test/', message: 'src/ never imports test code; only a *.check.ts beside a revision may.' },
            { regex: '\\.check\\.js$', message: 'a *.check.ts is test code, run by test/revision-walk.test.ts, not part of the product.' },
          ],
        },
      ],
    },
  },
)
