/** Our options: typed once at the edge, each default from the one place the library reads it too. */
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseArgv } from '../src/cli/argv.js'
import { extensionOptions, OPTION_DEFAULTS } from '../src/cli/options.js'
import { DEFAULT_BATCH_SIZE, DEFAULT_LOCK_TIMEOUT_MS } from '../src/engine/defaults.js'
import { DEFAULT_PURGE_BATCH_SIZE, PURGE_DEFAULTS } from '../src/glance/purge/index.js'

test('absent options take the defaults the library uses; given ones are kept', () => {
  assert.deepEqual(extensionOptions('upgrade', {}), {
    dryRun: false,
    lockTimeoutSeconds: DEFAULT_LOCK_TIMEOUT_MS / 1000,
    batchSize: DEFAULT_BATCH_SIZE,
    format: 'text',
    drift: false,
    strict: false,
    preflight: false,
  })
  assert.equal(OPTION_DEFAULTS.lockTimeoutSeconds, 300)
  assert.equal(extensionOptions('purge', {}).batchSize, DEFAULT_PURGE_BATCH_SIZE)
  assert.equal(OPTION_DEFAULTS.purge, PURGE_DEFAULTS)
  assert.deepEqual(extensionOptions('sync', { dry_run: true, lock_timeout: 0, batch_size: 7, format: 'json' }), {
    ...extensionOptions('sync', {}),
    dryRun: true,
    lockTimeoutSeconds: 0,
    batchSize: 7,
    format: 'json',
  })
})

test('the help text states the default the library uses', () => {
  const parsed = parseArgv(['db', 'sync', '-h'], 'glance-manage', { columns: 1000 })
  assert.equal(parsed.kind, 'exit')
  assert.match(parsed.kind === 'exit' ? parsed.stdout : '', new RegExp(`default ${DEFAULT_BATCH_SIZE}\\)`))
})
