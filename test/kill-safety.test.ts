import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { afterEach, beforeEach, test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import { BIN, configFor, db } from './support/cli.js'
import { forEachEngine, scratchDatabase, type ScratchDatabase } from './support/databases.js'
import { insertLegacyImage, visibilities } from './support/manager.js'
import { CONTRACT_HEAD } from './support/heads.js'

/** Starts `glance-manage db sync` and SIGKILLs it as soon as stderr shows `marker`. */
function syncKilledAt(conf: string, marker: string): Promise<{ killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, '--config-file', conf, 'db', 'sync'])
    let stderr = ''
    let killed = false
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
      if (!killed && stderr.includes(marker)) {
        killed = true
        child.kill('SIGKILL')
      }
    })
    child.on('error', reject)
    child.on('close', () => resolve({ killed }))
  })
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let reference: ScratchDatabase
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    reference = await scratchDatabase(engine)
  })
  afterEach(async () => {
    await scratch.drop()
    await reference.drop()
  })

  for (const marker of ['-> liberty', '-> ocata_expand01', '-> ocata_contract01', '-> pike_contract01']) {
    test(`db sync killed at "${marker}" is carried on by the next run`, async () => {
      const conf = configFor(scratch.url)
      assert.equal((await db(conf, 'upgrade', '--version', 'mitaka02')).code, 0)
      const seeded = await scratch.open()
      await insertLegacyImage(seeded, 'pub', true)
      await insertLegacyImage(seeded, 'priv', false)
      await seeded.close()
      const run = await syncKilledAt(conf, marker)
      if (marker !== '-> liberty') assert.ok(run.killed, 'the run reached the marker and was killed')
      const again = await db(conf, 'sync')
      assert.equal(again.code, 0, again.stderr)
      assert.equal((await db(conf, 'version')).stdout, `${CONTRACT_HEAD}\n`)

      assert.equal((await db(configFor(reference.url), 'sync')).code, 0)
      const [ours, expected] = await Promise.all([scratch.open(), reference.open()])
      try {
        assert.deepEqual(await introspect(ours), await introspect(expected))
        assert.deepEqual(await visibilities(ours), { priv: 'private', pub: 'public' })
      } finally {
        await ours.close()
        await expected.close()
      }
    })
  }
})
