/**
 * The lint rules that keep the layers apart (eslint.config.js) fail on a
 * wrong-way import, an import cycle, a dialect-name comparison outside
 * src/dialects and a floating promise. Each case writes a probe file
 * into src/, lints it with ESLint's Node API, and removes it.
 */
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import type { DialectSql } from '../src/ops/operations.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const probes: string[] = []
const eslint = new ESLint({ cwd: ROOT })

/** Lints `code` as the file `relative` (inside src/), which exists only for the call. */
async function lintProbe(relative: string, code: string): Promise<ESLint.LintResult> {
  const file = path.join(ROOT, relative)
  probes.push(file)
  fs.writeFileSync(file, code)
  try {
    const [result] = await eslint.lintFiles([file])
    return result!
  } finally {
    fs.rmSync(file, { force: true })
  }
}

const rules = (r: ESLint.LintResult) => r.messages.map((m) => m.ruleId)

describe('lint: layers and promises', () => {
  after(() => {
    for (const file of probes) fs.rmSync(file, { force: true })
  })

  test('src/ops importing from src/cli is refused, naming the layers', async () => {
    const r = await lintProbe(
      `src/ops/layers-probe-${process.pid}.ts`,
      "import { EXIT_CODES } from '../cli/exit-codes.js'\nexport const probe = EXIT_CODES\n",
    )
    assert.deepEqual(rules(r), ['@typescript-eslint/no-restricted-imports'])
    assert.match(r.messages[0]!.message, /src\/ops is below .*src\/cli.*a lower layer never imports a higher one/)
  })

  test('src/dialects importing from src/engine is refused; from src/ops it is not', async () => {
    const up = await lintProbe(
      `src/dialects/mysql/layers-probe-${process.pid}.ts`,
      "import type { MigrationError } from '../../engine/errors.js'\nexport type Probe = MigrationError\n",
    )
    assert.deepEqual(rules(up), ['@typescript-eslint/no-restricted-imports'])
    const down = await lintProbe(
      `src/dialects/mysql/layers-probe-${process.pid}.ts`,
      "import type { DialectName } from '../../ops/dialect-name.js'\nexport type Probe = DialectName\n",
    )
    assert.deepEqual(rules(down), [])
  })

  test('two files importing each other are refused (type-only imports too)', async () => {
    const other = path.join(ROOT, `src/ops/layers-probe-other-${process.pid}.ts`)
    probes.push(other)
    fs.writeFileSync(other, `import type { Probe } from './layers-probe-${process.pid}.js'\nexport type Other = Probe\n`)
    try {
      const r = await lintProbe(
        `src/ops/layers-probe-${process.pid}.ts`,
        `import type { Other } from './layers-probe-other-${process.pid}.js'\nexport type Probe = string | Other[]\n`,
      )
      assert.deepEqual(rules(r), ['local/no-import-cycle'])
      assert.match(
        r.messages[0]!.message,
        /^import cycle: src\/ops\/layers-probe-\d+\.ts -> src\/ops\/layers-probe-other-\d+\.ts -> src\/ops\/layers-probe-\d+\.ts$/,
      )
    } finally {
      fs.rmSync(other, { force: true })
    }
  })

  test('comparing a dialect name outside src/dialects is refused, in each form; inside src/dialects it is not', async () => {
    const code = [
      "import type { Database } from '../dialects/dialect.js'",
      'export function probe(db: Database): number {',
      "  if (db.conn.dialect === 'sqlite') return 1",
      '  const kind = db.dialect.name',
      "  if (kind !== 'mysql') return 2",
      "  if (['postgresql', 'mysql'].includes(db.conn.dialect)) return 3",
      '  switch (db.dialect.name) {',
      "    case 'postgresql':",
      '      return 4',
      '  }',
      '  return 5',
      '}',
      '',
    ].join('\n')
    const r = await lintProbe(`src/glance/layers-probe-${process.pid}.ts`, code)
    assert.deepEqual(
      r.messages.map((m) => [m.ruleId, m.line]),
      [3, 5, 6, 7].map((line) => ['local/no-dialect-name-comparison', line]),
    )
    assert.match(
      r.messages[0]!.message,
      /compares a dialect name \(db\.conn\.dialect === 'sqlite'\) outside src\/dialects: ask the dialect/,
    )
    const inside = await lintProbe(
      `src/dialects/layers-probe-${process.pid}.ts`,
      code.replace("'../dialects/dialect.js'", "'./dialect.js'"),
    )
    assert.deepEqual(rules(inside), [])
  })

  test('no file outside src/dialects compares a dialect name', async () => {
    const only = new ESLint({ cwd: ROOT, ruleFilter: ({ ruleId }) => ruleId === 'local/no-dialect-name-comparison' })
    const found = (await only.lintFiles(['src'])).flatMap((r) =>
      r.messages.map((m) => `${path.relative(ROOT, r.filePath)}:${m.line}: ${m.message}`),
    )
    assert.deepEqual(found, [])
  })

  test('a promise neither awaited nor voided is refused', async () => {
    const r = await lintProbe(
      `src/engine/layers-probe-${process.pid}.ts`,
      'async function work(): Promise<void> {}\nexport function probe(): void {\n  work()\n}\n',
    )
    assert.deepEqual(rules(r), ['@typescript-eslint/no-floating-promises'])
  })

  test('product code importing test code or a revision check is refused; a check may use test/support', async () => {
    const product = await lintProbe(
      `src/glance/layers-probe-${process.pid}.ts`,
      "import { NOW } from '../../test/support/manager.js'\nimport check from './versions/mitaka01_add_image_created_updated_idx.check.js'\nexport const probe = [NOW, check]\n",
    )
    assert.deepEqual(rules(product), ['no-restricted-imports', 'no-restricted-imports'])
    const check = await lintProbe(
      `src/glance/versions/layers-probe-${process.pid}.check.ts`,
      "import { NOW } from '../../../test/support/manager.js'\nexport const probe = NOW\n",
    )
    assert.deepEqual(rules(check), [])
  })
})

// Checked by `npm run typecheck`: per-dialect SQL without an entry for one dialect does not compile.
// @ts-expect-error postgresql is missing
const missingOne: DialectSql = { sqlite: [], mysql: [] }
const everyOne: DialectSql = { sqlite: [], mysql: [], postgresql: [] }

test('DialectSql takes one text for all or one entry per dialect', () => {
  assert.deepEqual([missingOne, everyOne, { all: 'SELECT 1' } satisfies DialectSql].length, 3)
})
