import { afterEach, beforeEach } from 'node:test'
import { configFor } from './cli.js'
import { scratchDatabase, type Engine, type ScratchDatabase } from './databases.js'

/** A scratch database and a glance-manage.conf pointing at it. */
export interface FreshDatabase {
  readonly scratch: ScratchDatabase
  readonly conf: string
}

/**
 * Gives each test of the enclosing suite its own empty database on `engine`
 * (handed to `use` before the test, with the config file naming it) and
 * drops it after the test, pass or fail.
 */
export function freshDatabasePerTest(engine: Engine, use: (fresh: FreshDatabase) => void | Promise<void>): void {
  let scratch: ScratchDatabase | undefined
  beforeEach(async () => {
    scratch = await scratchDatabase(engine)
    await use({ scratch, conf: configFor(scratch.url) })
  })
  afterEach(async () => {
    await scratch?.drop()
    scratch = undefined
  })
}
