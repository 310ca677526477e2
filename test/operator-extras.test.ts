import assert from 'node:assert/strict'
import { test } from 'node:test'
import { introspect } from '../src/dialects/introspect.js'
import type { DialectName } from '../src/dialects/connection.js'
import { db } from './support/cli.js'
import { forEachEngine, type ScratchDatabase } from './support/databases.js'
import { freshDatabasePerTest } from './support/fresh-database.js'
import { insertLegacyImage, insertMember } from './support/manager.js'

/** An operator's own trigger on images: it stamps `audit_note` on every new image. */
const OPERATOR_TRIGGER: Record<DialectName, string[]> = {
  sqlite: ["CREATE TRIGGER operator_audit AFTER INSERT ON images BEGIN UPDATE images SET audit_note = 'seen' WHERE id = NEW.id; END"],
  postgresql: [
    "CREATE FUNCTION operator_audit() RETURNS trigger AS $$ BEGIN NEW.audit_note := 'seen'; RETURN NEW; END $$ LANGUAGE plpgsql",
    'CREATE TRIGGER operator_audit BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION operator_audit()',
  ],
  mysql: ["CREATE TRIGGER operator_audit BEFORE INSERT ON images FOR EACH ROW SET NEW.audit_note = 'seen'"],
}

/** An operator's column on images that references tasks, with its foreign key. */
const OPERATOR_FOREIGN_KEY: Record<DialectName, string[]> = {
  sqlite: ['ALTER TABLE images ADD COLUMN audit_task VARCHAR(36) REFERENCES tasks (id)'],
  postgresql: ['ALTER TABLE images ADD COLUMN audit_task VARCHAR(36) REFERENCES tasks (id)'],
  // MySQL parses an inline REFERENCES and ignores it.
  mysql: ['ALTER TABLE images ADD COLUMN audit_task VARCHAR(36)', 'ALTER TABLE images ADD FOREIGN KEY (audit_task) REFERENCES tasks (id)'],
}

forEachEngine((engine) => {
  let scratch: ScratchDatabase
  let conf: string
  freshDatabasePerTest(engine, (fresh) => {
    ;({ scratch, conf } = fresh)
  })

  test('db sync from mitaka02 keeps the columns, indexes, foreign keys and triggers an operator added, with their data', async () => {
    assert.equal((await db(conf, 'upgrade', '--version', 'mitaka02')).code, 0)
    const database = await scratch.open()
    try {
      const run = (sql: string) => database.conn.execute(sql)
      await run("ALTER TABLE images ADD COLUMN audit_note VARCHAR(20) DEFAULT 'none'")
      await run('CREATE INDEX operator_audit_idx ON images (audit_note)')
      await run('ALTER TABLE image_members ADD COLUMN ticket INTEGER')
      await run('CREATE INDEX operator_ticket_idx ON image_members (ticket)')
      for (const sql of OPERATOR_TRIGGER[engine.dialect]) await run(sql)
      for (const sql of OPERATOR_FOREIGN_KEY[engine.dialect]) await run(sql)
      await insertLegacyImage(database, 'img-1', true)
      await run("UPDATE images SET audit_note = 'kept' WHERE id = 'img-1'")
      await insertMember(database, 1, 'img-1', 'tenant', false)
      await run('UPDATE image_members SET ticket = 42 WHERE id = 1')

      const dryRun = await db(conf, 'sync', '--dry-run')
      assert.equal(dryRun.code, 0, dryRun.stderr)
      if (engine.dialect === 'sqlite') {
        assert.match(dryRun.stdout, /^CREATE TABLE _alembic_tmp_images \([^;]*audit_note VARCHAR\(20\) DEFAULT 'none'/m)
        assert.match(dryRun.stdout, /^CREATE INDEX operator_audit_idx ON images \(audit_note\);$/m)
      }

      const sync = await db(conf, 'sync')
      assert.equal(sync.code, 0, sync.stderr)
      const schema = await introspect(database)
      const images = schema.tables.find((t) => t.name === 'images')!
      const members = schema.tables.find((t) => t.name === 'image_members')!
      assert.ok(
        images.columns.some((c) => c.name === 'audit_note'),
        'images.audit_note kept',
      )
      assert.ok(images.indexes.some((i) => i.name === 'operator_audit_idx' && i.columns.join() === 'audit_note'))
      assert.ok(members.indexes.some((i) => i.name === 'operator_ticket_idx'))
      assert.ok(
        images.foreignKeys.some((fk) => fk.columns.join() === 'audit_task' && fk.refTable === 'tasks'),
        'the foreign key on images.audit_task kept',
      )
      assert.deepEqual(
        schema.triggers.map((t) => t.name),
        ['operator_audit'],
      )
      assert.deepEqual(await database.conn.query("SELECT audit_note FROM images WHERE id = 'img-1'"), [{ audit_note: 'kept' }])
      const [member] = await database.conn.query<{ ticket: unknown }>('SELECT ticket FROM image_members WHERE id = 1')
      assert.equal(Number(member!.ticket), 42)
      await run(
        "INSERT INTO images (id, status, created_at, deleted, min_disk, min_ram, protected, os_hidden) VALUES ('img-2', 'active', '2020-01-02 03:04:05', false, 0, 0, false, false)",
      )
      assert.deepEqual(
        await database.conn.query("SELECT audit_note FROM images WHERE id = 'img-2'"),
        [{ audit_note: 'seen' }],
        'the trigger still fires',
      )
    } finally {
      await database.close()
    }
  })
})
