import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Connection, DialectName } from '../src/dialects/connection.js'
import { configFor, db } from './support/cli.js'
import { forEachEngine, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'
import { fingerprint } from './support/fingerprint.js'
import { managerOf, succeeded } from './support/manager.js'

/**
 * A schema that does not match its recorded revision is refused with one
 * line naming the difference, before any revision runs: nothing is written.
 */
interface Case {
  readonly name: string
  readonly at: string
  readonly damage: (conn: Connection) => Promise<void>
  readonly command: readonly string[]
  readonly expected: RegExp
  /** Where the damage can be done at all; every engine when absent. */
  readonly engines?: readonly DialectName[]
}

const dropIndex = (conn: Connection, index: string, table: string) =>
  conn.execute(conn.dialect === 'mysql' ? `DROP INDEX ${index} ON ${table}` : `DROP INDEX ${index}`)

const CASES: readonly Case[] = [
  {
    name: 'a column that a revision adds already exists',
    at: 'mitaka02',
    damage: async (conn) => void (await conn.execute('ALTER TABLE images ADD COLUMN visibility VARCHAR(20)')),
    command: ['sync'],
    expected:
      /^The schema does not match its recorded revision \(mitaka02\): ocata_expand01 adds column images\.visibility, which already exists; nothing was changed$/,
  },
  {
    name: 'a column that a later expand revision adds already exists',
    at: 'mitaka02',
    damage: async (conn) => void (await conn.execute('ALTER TABLE images ADD COLUMN os_hidden BOOLEAN')),
    command: ['expand'],
    expected: /: rocky_expand01 adds column images\.os_hidden, which already exists;/,
  },
  {
    name: 'an index that a contract revision drops is missing',
    at: 'mitaka02',
    damage: async (conn) => void (await dropIndex(conn, 'ix_images_is_public', 'images')),
    command: ['sync'],
    expected: /: ocata_contract01 drops index ix_images_is_public, which does not exist;/,
  },
  {
    // Enums are types of their own only on PostgreSQL (the dialect's conventions say so).
    name: 'a type that a revision creates already exists',
    at: 'mitaka02',
    damage: async (conn) => void (await conn.execute("CREATE TYPE image_visibility AS ENUM ('public')")),
    command: ['expand'],
    expected: /: ocata_expand01 creates type image_visibility, which already exists;/,
    engines: ['postgresql'],
  },
  {
    name: 'a table that a revision alters is missing',
    at: 'rocky_expand02',
    damage: async (conn) => {
      await conn.execute('DROP TABLE task_info')
      await conn.execute('DROP TABLE tasks')
    },
    command: ['upgrade'],
    expected: /: wallaby_expand01 adds a column to table tasks, which does not exist;/,
  },
]

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  freshDatabasePerTest(engine, (fresh) => {
    scratch = fresh.scratch
  })

  for (const c of CASES) {
    if (c.engines && !c.engines.includes(engine.dialect)) continue
    test(`refused before any revision runs: ${c.name}`, async () => {
      const conf = configFor(scratch.url)
      const setup = await scratch.open()
      try {
        succeeded(await managerOf(setup).upgrade(c.at))
        await c.damage(setup.conn)
      } finally {
        await setup.close()
      }
      const before = await fingerprint(scratch)
      const run = await db(conf, ...c.command)
      assert.equal(run.code, 1, run.stderr)
      assert.equal(run.stdout, '')
      const lines = run.stderr.trimEnd().split('\n')
      assert.equal(lines.length, 1, run.stderr)
      assert.match(lines[0]!, c.expected)
      assert.equal(await fingerprint(scratch), before, 'nothing was written')
    })
  }
})
