import type { DialectName } from '../ops/dialect-name.js'
import type { DialectSql, ExecuteEffect } from '../ops/operations.js'

/**
 * While Ocata's expand is applied but not yet contracted, nodes of the old
 * release write `is_public` and nodes of the new release write `visibility`.
 * These triggers derive the missing column from the one the writer set, and
 * reject a row that sets neither or both (or NULLs one out), so that both
 * generations read consistent data. Glance ships them for MySQL only; the
 * PostgreSQL and SQLite pairs below apply the same decision list, so rolling
 * upgrades work on every engine. SQLite triggers cannot assign to NEW, so
 * they correct the row just written with an UPDATE (recursive triggers are
 * off by default, so that UPDATE does not fire the same trigger again; the
 * insert trigger's UPDATE does fire update_visibility, which therefore leaves
 * a row alone whose is_public was NULL, i.e. one being inserted).
 */
const MESSAGE = 'Invalid visibility value'

const MYSQL_INSERT = `CREATE TRIGGER insert_visibility BEFORE INSERT ON images
FOR EACH ROW
BEGIN
    IF NEW.is_public <=> NULL AND NEW.visibility <=> NULL THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${MESSAGE}';
    ELSEIF NOT (NEW.is_public <=> NULL OR NEW.visibility <=> NULL) THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${MESSAGE}';
    ELSEIF NOT NEW.is_public <=> NULL THEN
        SET NEW.visibility = IF(NEW.is_public = 1, 'public', 'shared');
    ELSE
        SET NEW.is_public = IF(NEW.visibility = 'public', 1, 0);
    END IF;
END`

const MYSQL_UPDATE = `CREATE TRIGGER update_visibility BEFORE UPDATE ON images
FOR EACH ROW
BEGIN
    IF NOT NEW.is_public <=> OLD.is_public THEN
        IF NEW.is_public <=> NULL OR NOT NEW.visibility <=> OLD.visibility THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${MESSAGE}';
        END IF;
        SET NEW.visibility = IF(NEW.is_public <=> 1, 'public', 'shared');
    ELSEIF NOT NEW.visibility <=> OLD.visibility THEN
        IF NEW.visibility <=> NULL THEN
            SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '${MESSAGE}';
        END IF;
        SET NEW.is_public = IF(NEW.visibility <=> 'public', 1, 0);
    END IF;
END`

/**
 * If another tool contracts the database without dropping these (Glance's
 * `db sync` does not know them), `is_public` is gone and the functions step
 * aside instead of failing every INSERT.
 */
const COLUMN_GONE = `    IF NOT (to_jsonb(NEW) ? 'is_public') THEN
        RETURN NEW;
    END IF;
`

const POSTGRESQL_INSERT_FUNCTION = `CREATE OR REPLACE FUNCTION insert_visibility() RETURNS trigger AS $$
BEGIN
${COLUMN_GONE}    IF (NEW.is_public IS NULL) = (NEW.visibility IS NULL) THEN
        RAISE EXCEPTION '${MESSAGE}' USING ERRCODE = 'check_violation';
    ELSIF NEW.is_public IS NOT NULL THEN
        NEW.visibility := CASE WHEN NEW.is_public THEN 'public' ELSE 'shared' END::image_visibility;
    ELSE
        NEW.is_public := NEW.visibility = 'public';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql`

/**
 * A transaction that writes both columns in step itself says so with this
 * setting (ocata_migrate01's batches, which derive visibility from is_public
 * on the row they change): update_visibility's WHEN clause then skips the
 * function, which cost a quarter of each batch (most of it the COLUMN_GONE
 * guard: to_jsonb of the whole row). The WHEN clause names no column, so it
 * does not stop another tool from dropping is_public.
 */
const IN_STEP_SETTING = 'glance.visibility_in_step'

const POSTGRESQL_UPDATE_FUNCTION = `CREATE OR REPLACE FUNCTION update_visibility() RETURNS trigger AS $$
BEGIN
${COLUMN_GONE}    IF NEW.is_public IS DISTINCT FROM OLD.is_public THEN
        IF NEW.is_public IS NULL OR NEW.visibility IS DISTINCT FROM OLD.visibility THEN
            RAISE EXCEPTION '${MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        NEW.visibility := CASE WHEN NEW.is_public THEN 'public' ELSE 'shared' END::image_visibility;
    ELSIF NEW.visibility IS DISTINCT FROM OLD.visibility THEN
        IF NEW.visibility IS NULL THEN
            RAISE EXCEPTION '${MESSAGE}' USING ERRCODE = 'check_violation';
        END IF;
        NEW.is_public := NEW.visibility = 'public';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql`

const SQLITE_INSERT = `CREATE TRIGGER insert_visibility AFTER INSERT ON images
BEGIN
    SELECT RAISE(ABORT, '${MESSAGE}') WHERE (NEW.is_public IS NULL) = (NEW.visibility IS NULL);
    UPDATE images SET visibility = CASE WHEN NEW.is_public THEN 'public' ELSE 'shared' END
        WHERE id = NEW.id AND NEW.visibility IS NULL;
    UPDATE images SET is_public = (NEW.visibility = 'public') WHERE id = NEW.id AND NEW.is_public IS NULL;
END`

const SQLITE_UPDATE = `CREATE TRIGGER update_visibility AFTER UPDATE OF is_public, visibility ON images
BEGIN
    SELECT RAISE(ABORT, '${MESSAGE}') WHERE NEW.is_public IS NOT OLD.is_public
        AND (NEW.is_public IS NULL OR NEW.visibility IS NOT OLD.visibility);
    SELECT RAISE(ABORT, '${MESSAGE}') WHERE NEW.is_public IS OLD.is_public
        AND NEW.visibility IS NOT OLD.visibility AND NEW.visibility IS NULL;
    UPDATE images SET visibility = CASE WHEN NEW.is_public THEN 'public' ELSE 'shared' END
        WHERE id = NEW.id AND NEW.is_public IS NOT OLD.is_public AND OLD.is_public IS NOT NULL;
    UPDATE images SET is_public = (NEW.visibility = 'public')
        WHERE id = NEW.id AND NEW.is_public IS OLD.is_public AND NEW.visibility IS NOT OLD.visibility;
END`

export const CREATE_VISIBILITY_TRIGGERS: DialectSql = {
  sqlite: [SQLITE_INSERT, SQLITE_UPDATE],
  // Dropped first so that a run killed between the two CREATEs can be repeated.
  mysql: ['DROP TRIGGER IF EXISTS insert_visibility', 'DROP TRIGGER IF EXISTS update_visibility', MYSQL_INSERT, MYSQL_UPDATE],
  postgresql: [
    POSTGRESQL_INSERT_FUNCTION,
    POSTGRESQL_UPDATE_FUNCTION,
    'CREATE TRIGGER insert_visibility BEFORE INSERT ON images FOR EACH ROW EXECUTE FUNCTION insert_visibility()',
    `CREATE TRIGGER update_visibility BEFORE UPDATE ON images FOR EACH ROW
    WHEN (current_setting('${IN_STEP_SETTING}', true) IS DISTINCT FROM 'on') EXECUTE FUNCTION update_visibility()`,
  ],
}

const TRIGGER_NAMES = ['insert_visibility', 'update_visibility'] as const

/** What CREATE_VISIBILITY_TRIGGERS does, for a build from empty. */
export const CREATES_VISIBILITY_TRIGGERS: ExecuteEffect = { kind: 'createTriggers', table: 'images', names: TRIGGER_NAMES }

/** What DROP_VISIBILITY_TRIGGERS does. */
export const DROPS_VISIBILITY_TRIGGERS: ExecuteEffect = { kind: 'dropTriggers', names: TRIGGER_NAMES }

/**
 * Run first in a transaction whose UPDATEs of images set `visibility`
 * consistent with `is_public` themselves (never change `is_public`), so that
 * the update trigger need not: for the rest of that transaction it is not
 * called (PostgreSQL; the other engines' triggers have no such switch).
 */
export const VISIBILITY_WRITTEN_IN_STEP: Readonly<Record<DialectName, readonly string[]>> = {
  postgresql: [`SET LOCAL ${IN_STEP_SETTING} = 'on'`],
  mysql: [],
  sqlite: [],
}

/** Safe on every path: nothing to drop after an offline expand. */
export const DROP_VISIBILITY_TRIGGERS: DialectSql = {
  sqlite: ['DROP TRIGGER IF EXISTS insert_visibility', 'DROP TRIGGER IF EXISTS update_visibility'],
  mysql: ['DROP TRIGGER IF EXISTS insert_visibility', 'DROP TRIGGER IF EXISTS update_visibility'],
  postgresql: [
    'DROP TRIGGER IF EXISTS insert_visibility ON images',
    'DROP TRIGGER IF EXISTS update_visibility ON images',
    'DROP FUNCTION IF EXISTS insert_visibility()',
    'DROP FUNCTION IF EXISTS update_visibility()',
  ],
}
