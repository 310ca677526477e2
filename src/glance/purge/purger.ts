import type { Connection } from '../../dialects/connection.js'
import type { PageRanges } from '../../dialects/page-ranges.js'
import { traitsOf } from '../../dialects/registry.js'
import { BatchSizer, type BatchTarget } from '../../engine/batch-sizer.js'
import { retryOnConflict } from '../../engine/batched-update.js'
import { CommandError } from '../../engine/errors.js'
import { countBlocking, referencesTo, type BlockingRows, type Condition } from './references.js'
import { quoteIdent, type PurgeTable, type Reference } from './tables.js'

/** What the purge reports as it goes; the CLI decides how to show it. */
export type PurgeEvent =
  | { readonly kind: 'tableStarted'; readonly table: string }
  /** `ms`: how long the batch's DELETE took (the next batch is sized from it). */
  /** `pausedMs`: how long the DELETE was held back for the server to catch up (PurgerOptions.pace). */
  | {
      readonly kind: 'batchDeleted'
      readonly table: string
      readonly rows: number
      readonly total: number
      readonly ms: number
      readonly pausedMs: number
    }
  | { readonly kind: 'tableDone'; readonly table: string; readonly rows: number }
  /** A DELETE batch the server rolled back for a conflict (deadlock, Galera certification, lock wait) runs again. */
  | { readonly kind: 'batchRetried'; readonly table: string; readonly attempt: number; readonly waitMs: number; readonly reason: string }

export interface TableCount {
  readonly table: string
  readonly rows: number
}

export interface PurgeResult {
  /** Rows deleted per table (with dryRun: rows that would be deleted), in purge order. */
  readonly tables: readonly TableCount[]
  readonly statements: number
  /** The longest statement of any kind (the reads that fix the selection scan the whole table). */
  readonly longestStatementMs: number
  /** The longest DELETE: how long one batch held its row locks. */
  readonly longestDeleteMs: number
}

/**
 * Rows that reference the rows to purge: the purge stopped before deleting
 * them (Glance's DBReferenceError). `purged` holds what earlier tables and
 * earlier batches already deleted (committed).
 */
export class PurgeBlockedError extends CommandError {
  override name = 'PurgeBlockedError'
  constructor(
    readonly table: string,
    readonly blocking: readonly BlockingRows[],
    readonly purged: readonly TableCount[],
  ) {
    super(describeBlocked(table, blocking, purged.find((p) => p.table === table)?.rows ?? 0))
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** The one stderr line that says what blocks the purge and what to do. */
export function describeBlocked(table: string, blocking: readonly BlockingRows[], deletedFromTable: number): string {
  const noun = table === 'images' ? 'image' : 'row'
  const what = blocking.map((b) => `${plural(b.rows, 'row')} in ${b.table} (${plural(b.referenced, noun)})`).join(', ')
  const verb = blocking.length === 1 && blocking[0]!.rows === 1 ? 'references' : 'reference'
  const kept = blocking.reduce((sum, b) => sum + b.kept, 0)
  const done = deletedFromTable === 0 ? 'nothing was deleted' : `${plural(deletedFromTable, 'row')} had been deleted before that`
  const keptNote =
    kept === 0
      ? ''
      : ` (${kept === 1 ? '1 of these rows is' : `${kept} of these rows are`} not deleted before the cutoff, so db purge keeps ${kept === 1 ? 'it' : 'them'})`
  return (
    `Cannot purge table ${table}: ${what} still ${verb} the ${noun}s to purge; ${done}. ` +
    `Run "glance-manage db purge" first to purge the deleted rows that reference them${keptNote}.`
  )
}

export interface PurgerOptions {
  /** Naive UTC text: rows with `deleted_at < threshold` qualify. */
  readonly threshold: string
  /** Per table; -1 = no limit. */
  readonly maxRows: number
  /** At most this many rows per DELETE. */
  readonly batchSize: number
  /** How long one DELETE should hold its row locks (BatchSizer's default unless the dialect sets Dialect.batchTarget). */
  readonly targetBatchMs?: BatchTarget
  /** Run before each DELETE, with its size in rows: waits while the server has no room for it (Dialect.writePacing); returns ms waited. */
  readonly pace?: (rows: number) => Promise<number>
  readonly onEvent?: (event: PurgeEvent) => void
}

type Key = string | number

/** One table's SQL pieces (Purger.#shape). */
interface Shape {
  readonly t: string
  readonly key: string
  /** The row address (or key) batches walk. */
  readonly walk: readonly string[]
  /** (cluster column, row address), where the table has one and batches follow indexes. */
  readonly clustered: readonly string[] | undefined
  readonly source: string
  readonly deletedAt: string
  readonly order: string
  readonly parent: string | undefined
}

/**
 * Deletes the qualifying rows of one table at a time, in batches.
 *
 * Glance deletes the `max_rows` oldest rows (ORDER BY deleted_at) in one
 * statement. Here the same set is fixed first by its last row in
 * (deleted_at, key) order — the "boundary", one scan with a top-N sort — so
 * that membership no longer depends on what was already deleted. The set is
 * then deleted in batch-key order (the physical order where it matters): each
 * batch reads the next `batchSize` selected keys after the previous batch (a
 * range scan that stops after `batchSize` hits) and deletes that key range, so
 * the table is scanned once over all batches instead of once per batch
 * (`deleted_at` has no index in Glance's schema). Memory stays constant: only
 * two keys travel to the client per batch.
 */
export class Purger {
  #statements = 0
  #longestMs = 0
  #longestDeleteMs = 0
  readonly #q: (name: string) => string

  constructor(
    readonly conn: Connection,
    readonly options: PurgerOptions,
  ) {
    this.#q = (name) => quoteIdent(conn.dialect, name)
  }

  get stats(): { statements: number; longestStatementMs: number; longestDeleteMs: number } {
    return { statements: this.#statements, longestStatementMs: this.#longestMs, longestDeleteMs: this.#longestDeleteMs }
  }

  async #timed<T>(run: () => Promise<T>, isDelete = false): Promise<T> {
    const start = performance.now()
    try {
      return await run()
    } finally {
      const ms = performance.now() - start
      this.#statements++
      this.#longestMs = Math.max(this.#longestMs, ms)
      if (isDelete) this.#longestDeleteMs = Math.max(this.#longestDeleteMs, ms)
    }
  }

  #query(sql: string, params: readonly unknown[]) {
    return this.#timed(() => this.conn.query(sql, params))
  }

  #execute(sql: string, params: readonly unknown[]) {
    return this.#timed(() => this.conn.execute(sql, params), true)
  }

  /**
   * SQL pieces for one table: the row source, its deleted_at, the order key
   * that breaks deleted_at ties, and the key batches walk. On SQLite batches
   * walk the rowid (the physical order: images.id and tasks.id are text
   * scattered over the table), so each batch rewrites neighbouring pages
   * instead of pages all over the file; on MySQL the primary key is the
   * physical order; PostgreSQL deletes without touching indexes. Where
   * batches follow indexes (SQLite), a table with a `cluster` column may
   * walk (cluster, rowid) instead (`clustered`, see #walkFor).
   */
  #shape(table: PurgeTable): Shape {
    const q = this.#q
    const t = q(table.name)
    const key = `${t}.${q(table.key)}`
    const traits = traitsOf(this.conn)
    const address = traits.rowAddress(t)
    const walk: readonly string[] = [address ?? key]
    const clustered = table.cluster && address && traits.batchesFollowIndexes ? [`${t}.${q(table.cluster)}`, address] : undefined
    if (table.via) {
      const p = q(table.via.table)
      const parentKey = `${p}.${q(table.via.key)}`
      return {
        t,
        key,
        walk,
        clustered,
        source: `${t} JOIN ${p} ON ${parentKey} = ${key}`,
        deletedAt: `${p}.deleted_at`,
        order: parentKey,
        parent: p,
      }
    }
    return { t, key, walk, clustered, source: t, deletedAt: `${t}.deleted_at`, order: key, parent: undefined }
  }

  /** Rows that qualify by age alone. */
  async countQualifying(table: PurgeTable): Promise<number> {
    const s = this.#shape(table)
    const [row] = await this.#query(`SELECT COUNT(*) AS n FROM ${s.source} WHERE ${s.deletedAt} < ?`, [this.options.threshold])
    return Number(row?.n ?? 0)
  }

  /**
   * The condition selecting exactly the rows this run purges from `table`
   * (qualified with the table's name, or its parent's for task_info), or
   * undefined when `max_rows` is 0.
   */
  async selection(table: PurgeTable): Promise<Condition | undefined> {
    const { threshold, maxRows, batchSize } = this.options
    if (maxRows === 0) return undefined
    const s = this.#shape(table)
    const byAge: Condition = { sql: `${s.deletedAt} < ?`, params: [threshold] }
    if (maxRows === -1) return byAge
    // A large limit usually exceeds what qualifies: one count avoids sorting them all.
    if (maxRows > batchSize && (await this.countQualifying(table)) <= maxRows) return byAge
    const [last] = await this.#query(
      `SELECT ${s.deletedAt} AS d, ${s.order} AS k FROM ${s.source} WHERE ${s.deletedAt} < ? ` +
        `ORDER BY ${s.deletedAt}, ${s.order} LIMIT 1 OFFSET ${maxRows - 1}`,
      [threshold],
    )
    if (!last) return byAge
    return {
      sql: `${s.deletedAt} < ? AND (${s.deletedAt} < ? OR (${s.deletedAt} = ? AND ${s.order} <= ?))`,
      params: [threshold, last.d, last.d, last.k],
    }
  }

  /** How many rows `purgeTable` would delete. */
  async countSelected(table: PurgeTable): Promise<number> {
    const { maxRows } = this.options
    if (maxRows === 0) return 0
    const n = await this.countQualifying(table)
    return maxRows === -1 ? n : Math.min(n, maxRows)
  }

  /**
   * The rows of referencing tables that point at the selected rows of
   * `table`. `whole`: the selection spans the table (the check before a
   * purge), so it is first probed in ranges (#anyReferenced).
   */
  async blocking(table: PurgeTable, selection: Condition, refs?: readonly Reference[], whole = true): Promise<BlockingRows[]> {
    const references = refs ?? (await referencesTo(this.conn, table.name))
    const s = this.#shape(table)
    if (s.parent || references.length === 0) return [] // task_info: nothing references it
    if (whole && !(await this.#anyReferenced(s, selection, references))) return []
    return countBlocking(this.conn, (sql, params) => this.#query(sql, params), table, references, selection, this.options.threshold)
  }

  /**
   * Whether any row of `refs` points at a selected row, stopping at the
   * first hit: the table is probed in ranges sized by the batch target (its
   * pages where the dialect walks them, else its key), one probe per
   * reference and range, so that no one statement runs long. One probe per
   * reference over the whole selection took up to 1.71 s at 1M images on
   * PostgreSQL. Not one probe with the references ORed: PostgreSQL then
   * hashes every referencing table for each range (hashed SubPlans).
   */
  async #anyReferenced(s: Shape, selection: Condition, refs: readonly Reference[]): Promise<boolean> {
    const q = this.#q
    const sizer = new BatchSizer(MAX_PROBE_ROWS, this.options.targetBatchMs)
    /** The longest probe of `range` (-1: one found a referencing row). */
    const probe = async (range: Condition): Promise<number> => {
      let longest = 0
      for (const r of refs) {
        const start = performance.now()
        const rows = await this.#query(
          `SELECT 1 AS hit FROM ${s.t} WHERE ${range.sql} AND ${selection.sql} AND ` +
            `EXISTS (SELECT 1 FROM ${q(r.table)} c WHERE c.${q(r.column)} = ${s.key}) LIMIT 1`,
          [...range.params, ...selection.params],
        )
        if (rows.length > 0) return -1
        longest = Math.max(longest, performance.now() - start)
      }
      return longest
    }
    const pages = traitsOf(this.conn).pageRanges
    if (pages) {
      for await (const { range, selected } of this.#selectedRanges(pages, s, selection, sizer)) {
        const ms = await probe(range)
        if (ms < 0) return true
        sizer.record(selected, ms)
      }
      return false
    }
    // By key: each range ends at the size-th selected row past the last, so it holds that many selected rows
    // whatever the unselected rows between them.
    let after: Key | undefined
    for (;;) {
      const size = sizer.size
      const past = after === undefined ? [] : [after]
      const from = after === undefined ? '' : `${s.key} > ? AND `
      const [last] = await this.#query(lastOfNext([s.key], s.t, `${from}${selection.sql}`, size), [...past, ...selection.params])
      const n = Number(last?.n ?? 0)
      if (n === 0) return false
      const upper = last!.k0 as Key
      const ms = await probe({ sql: `${from}${s.key} <= ?`, params: [...past, upper] })
      if (ms < 0) return true
      if (n < size) return false
      sizer.record(n, ms)
      after = upper
    }
  }

  /**
   * `s`'s storage units (PageRanges) in ranges that each hold about
   * `sizer.size` selected rows, skipping those that hold none. The selected
   * rows of a range, not its units, are what a probe or a DELETE costs (a
   * lookup per reference each, or a foreign-key check each), and they are not
   * spread evenly: after an UPDATE of every row (the offline db sync) the first
   * half of PostgreSQL's heap holds only the versions it replaced, so ranges
   * sized by the time of probes there grew 4x at each step and the first range
   * past it took 2.5 s at 1M images. So each range is counted first (a scan of
   * its units, no lookups) and cut down while it selects more than twice the
   * rows the sizer asks for. The caller records each range's time in `sizer`.
   */
  async *#selectedRanges(
    pages: PageRanges,
    s: Shape,
    selection: Condition,
    sizer: BatchSizer,
  ): AsyncGenerator<{ readonly range: Condition; readonly selected: number }> {
    const { first, end, rowsPerUnit } = await pages.extent(this.conn, s.t)
    const onPages = (from: number, to: number): Condition => ({ sql: pages.onPages(s.t, from, to), params: [] })
    let density = rowsPerUnit > 0 ? rowsPerUnit : UNKNOWN_ROWS_PER_UNIT
    let previous = 0
    for (let from = first; from < end; ) {
      let units = Math.max(1, Math.round(sizer.size / Math.max(density, MIN_DENSITY)))
      if (previous > 0) units = Math.min(units, previous * MAX_RANGE_GROWTH)
      let to = Math.min(end, from + units)
      let selected = await this.#countIn(onPages(from, to), s, selection)
      while (selected > MAX_OVERSHOOT * sizer.size && to - from > 1) {
        to = from + Math.max(1, Math.floor(((to - from) * sizer.size) / selected))
        selected = await this.#countIn(onPages(from, to), s, selection)
      }
      if (selected > 0) yield { range: onPages(from, to), selected }
      density = selected / (to - from)
      previous = to - from
      from = to
    }
  }

  /** How many rows of `s` in `range` the selection holds. */
  async #countIn(range: Condition, s: Shape, selection: Condition): Promise<number> {
    const [row] = await this.#query(`SELECT COUNT(*) AS n FROM ${s.t} WHERE ${range.sql} AND ${selection.sql}`, [
      ...range.params,
      ...selection.params,
    ])
    return Number(row?.n ?? 0)
  }

  /**
   * Deletes the selected rows of `table` in batches of at most `batchSize`
   * rows, each its own transaction (autocommit). Returns the rows deleted.
   * With `precheck`, rows of other tables that reference the selection stop
   * the purge before anything is deleted. Later (a row referenced meanwhile:
   * PostgreSQL/MySQL fail the foreign key; SQLite, which does not enforce them
   * on Glance's connections, skips the row in the DELETE) the purge stops
   * after the batches already committed. Both raise PurgeBlockedError, which
   * carries `purgedBefore` and this table's count so far.
   */
  async purgeTable(table: PurgeTable, purgedBefore: readonly TableCount[] = [], precheck = false): Promise<number> {
    const { onEvent } = this.options
    onEvent?.({ kind: 'tableStarted', table: table.name })
    const selection = await this.selection(table)
    let total = 0
    if (selection) {
      const refs = table.via ? [] : await referencesTo(this.conn, table.name)
      const blocked = async (where: Condition, deleted: number, whole = true) =>
        new PurgeBlockedError(table.name, await this.blocking(table, where, refs, whole), [...purgedBefore, { table: table.name, rows: deleted }])
      if (precheck && refs.length > 0) {
        const error = await blocked(selection, 0)
        if (error.blocking.length > 0) throw error
      }
      total = await this.#deleteInBatches(table, selection, refs, blocked)
    }
    onEvent?.({ kind: 'tableDone', table: table.name, rows: total })
    return total
  }

  /**
   * The clustered walk where the table is dense with selected rows, else the
   * row address. Walking the cluster column reads every row of the table in
   * that order (a random lookup each, for its deleted_at), which its batches'
   * cheaper commits repay only when many of the rows go: measured at 1M images
   * (1,000-row batches of image_properties), with 30 % of the rows selected
   * the clustered walk wrote 8.1 GB against the rowid walk's 10.3 GB, with 3 %
   * it took 46 s against 24 s. The share is sampled in DENSITY_SAMPLES spread
   * ranges of DENSITY_SAMPLE_ROWS row addresses.
   */
  async #walkFor(s: Shape, selection: Condition): Promise<readonly string[]> {
    if (!s.clustered || s.parent) return s.walk
    const address = s.walk[0]!
    const [bounds] = await this.#query(`SELECT MIN(${address}) AS lo, MAX(${address}) AS hi FROM ${s.t}`, [])
    if (bounds?.lo === null || bounds?.lo === undefined) return s.walk
    const lo = Number(bounds.lo)
    const span = Number(bounds.hi) - lo + 1
    let rows = 0
    let hits = 0
    for (let i = 0; i < DENSITY_SAMPLES; i++) {
      const start = lo + Math.floor((span * i) / DENSITY_SAMPLES)
      const [sample] = await this.#query(
        `SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN ${selection.sql} THEN 1 ELSE 0 END), 0) AS hits FROM ${s.t} ` +
          `WHERE ${address} >= ? AND ${address} < ?`,
        [...selection.params, start, start + DENSITY_SAMPLE_ROWS],
      )
      rows += Number(sample?.n ?? 0)
      hits += Number(sample?.hits ?? 0)
    }
    return rows > 0 && hits / rows >= CLUSTERED_WALK_DENSITY ? s.clustered : s.walk
  }

  async #deleteInBatches(
    table: PurgeTable,
    selection: Condition,
    refs: readonly Reference[],
    blocked: (where: Condition, deleted: number, whole?: boolean) => Promise<PurgeBlockedError>,
  ): Promise<number> {
    const { maxRows, batchSize, onEvent } = this.options
    const q = this.#q
    const s = this.#shape(table)
    const traits = traitsOf(this.conn)
    // Where a connection may not enforce foreign keys (SQLite: Glance's connections leave them off), never orphan a row.
    const guards = !traits.foreignKeysAlwaysEnforced
      ? refs.map((r) => ` AND NOT EXISTS (SELECT 1 FROM ${q(r.table)} WHERE ${q(r.table)}.${q(r.column)} = ${s.key})`).join('')
      : ''
    const deleteIn = (range: Condition): Condition => ({
      sql: s.parent
        ? // task_info: the rows in the range whose task qualifies.
          `DELETE FROM ${s.t} WHERE ${range.sql} AND EXISTS (SELECT 1 FROM ${s.parent} WHERE ${s.order} = ${s.key} AND ${selection.sql})`
        : `DELETE FROM ${s.t} WHERE ${range.sql} AND ${selection.sql}${guards}`,
      params: [...range.params, ...selection.params],
    })
    // Batches are sized by time, as the data migrations' are: a table whose
    // rows cost more to delete (images: four foreign-key checks each) gets
    // fewer per DELETE, so no statement holds its locks much past the target.
    const sizer = new BatchSizer(batchSize, this.options.targetBatchMs)
    let total = 0
    /** Deletes the selected rows of `range` (`n` of them when it was read): how many went, and how long its DELETE took. */
    const batch = async (range: Condition, n: number): Promise<{ deleted: number; ms: number }> => {
      const { deleted, ms, pausedMs } = await this.#deleteBatch(table, deleteIn(range), n, () => blocked(selection, total))
      total += deleted
      onEvent?.({ kind: 'batchDeleted', table: table.name, rows: deleted, total, ms, pausedMs })
      if (guards && deleted < n) {
        const error = await blocked({ sql: `${range.sql} AND ${selection.sql}`, params: [...range.params, ...selection.params] }, total, false)
        if (error.blocking.length > 0) throw error
      }
      return { deleted, ms }
    }

    const pages = traits.pageRanges
    if (pages && !traits.rowAddress(s.t) && !s.parent && maxRows === -1) {
      // Where the row address is not stable (PostgreSQL's ctid changes with each UPDATE), walking the key
      // reads the table in key order, a random page per row where the key is scattered (images.id, tasks.id):
      // at 1M images the reads that found each batch's last key took 4.5 s of purge_images_table's 27 s.
      // Ranges of pages read each page once. A row version another session writes during the walk may land
      // behind it, so the walk repeats while selected rows remain, and the key walk takes what is left then.
      for (let pass = 0; ; pass++) {
        if (pass > 0 && (await this.#countIn(TRUE, s, selection)) === 0) return total
        if (pass === MAX_PAGE_PASSES) break
        for await (const { range, selected } of this.#selectedRanges(pages, s, selection, sizer)) {
          if (selected <= batchSize) {
            sizer.record(selected, (await batch(range, selected)).ms)
            continue
          }
          // More than --batch-size in one range (a page holds more, or the count overshot): the sizer's rows per DELETE.
          for (let left = selected; left > 0; ) {
            const limit = Math.min(left, sizer.size)
            const first: Condition = {
              sql: pages.firstRows(s.t, `${range.sql} AND ${selection.sql}`, limit),
              params: [...range.params, ...selection.params],
            }
            const { deleted, ms } = await batch(first, limit)
            if (deleted < limit) break
            left -= deleted
            sizer.record(deleted, ms)
          }
        }
      }
    }

    let after: readonly Key[] | undefined
    const walk = await this.#walkFor(s, selection)
    const position = rowValue(walk)
    const marks = rowValue(walk.map(() => '?'))
    for (;;) {
      const limit = maxRows === -1 ? sizer.size : Math.min(sizer.size, maxRows - total)
      if (limit <= 0) break
      // The next `limit` selected rows after the previous batch, in walk order.
      const from = after ?? []
      const past = after === undefined ? '' : `${position} > ${marks} AND `
      const [last] = await this.#query(lastOfNext(walk, s.source, `${past}${selection.sql}`, limit), [...from, ...selection.params])
      const n = Number(last?.n ?? 0)
      if (n === 0) break
      const upper = walk.map((_, i) => last![`k${i}`] as Key)
      const { ms } = await batch({ sql: `${past}${position} <= ${marks}`, params: [...from, ...upper] }, n)
      after = upper
      if (n < limit) break
      sizer.record(n, ms)
    }
    return total
  }

  /**
   * One batch's DELETE, autocommitted: applied whole or not at all, so it can
   * simply run again after a conflict. A foreign-key violation (a row
   * referenced meanwhile) becomes `blocked()`'s error.
   */
  async #deleteBatch(
    table: PurgeTable,
    statement: Condition,
    rows: number,
    blocked: () => Promise<PurgeBlockedError>,
  ): Promise<{ deleted: number; ms: number; pausedMs: number }> {
    let ms = 0
    const pausedMs = (await this.options.pace?.(rows)) ?? 0
    try {
      const deleted = await retryOnConflict(
        this.conn,
        async () => {
          // Only the DELETE is timed, the attempt that succeeded: a conflict's back-off says nothing about the size.
          const start = performance.now()
          const n = await this.#execute(statement.sql, statement.params)
          ms = performance.now() - start
          return n
        },
        (attempt, waitMs, reason) => this.options.onEvent?.({ kind: 'batchRetried', table: table.name, attempt, waitMs, reason }),
      )
      return { deleted, ms, pausedMs }
    } catch (error) {
      if (isForeignKeyViolation(error)) throw await blocked()
      throw error
    }
  }
}

/** The whole table, as a range. */
const TRUE: Condition = { sql: '1 = 1', params: [] }
/** Page walks over the table before the key walk takes the rows still selected (Purger.#deleteInBatches). */
const MAX_PAGE_PASSES = 3
/** At most this many rows per range of the reference probe (Purger.#anyReferenced). */
const MAX_PROBE_ROWS = 1_000_000
/** Rows per unit assumed where the dialect has no estimate (a row of a few hundred bytes a page). */
const UNKNOWN_ROWS_PER_UNIT = 30
/** A probe's range may select this many times the rows its sizer asks for before it is cut down. */
const MAX_OVERSHOOT = 2
/** A range is at most this many times the units of the one before (so is the scan that counts it). */
const MAX_RANGE_GROWTH = 4
/** Selected rows per unit assumed at least (a range that selected none says only that they are rare). */
const MIN_DENSITY = 0.01

/** Below this share of selected rows, a clustered table walks its row address (Purger.#walkFor). */
const CLUSTERED_WALK_DENSITY = 0.15
const DENSITY_SAMPLES = 8
const DENSITY_SAMPLE_ROWS = 1000

/** `a` or the row value `(a, b)`. */
function rowValue(items: readonly string[]): string {
  return items.length === 1 ? items[0]! : `(${items.join(', ')})`
}

/**
 * The last (`k0`, `k1`...) of the first `limit` rows of `source` matching
 * `where` in `walk` order, and how many there are (`n`; none: n = 0). One
 * column keeps the one-aggregate form every engine runs alike; a row value
 * picks its last row with COUNT(*) OVER ().
 */
function lastOfNext(walk: readonly string[], source: string, where: string, limit: number): string {
  const rows = (columns: string) => `SELECT ${columns} FROM ${source} WHERE ${where} ORDER BY ${walk.join(', ')} LIMIT ${limit}`
  if (walk.length === 1) return `SELECT MAX(k0) AS k0, COUNT(*) AS n FROM (${rows(`${walk[0]} AS k0`)}) T1`
  const names = walk.map((_, i) => `k${i}`)
  return (
    `SELECT ${names.join(', ')}, COUNT(*) OVER () AS n FROM (${rows(walk.map((c, i) => `${c} AS k${i}`).join(', '))}) T1 ` +
    `ORDER BY ${names.map((k) => `${k} DESC`).join(', ')} LIMIT 1`
  )
}

/** PostgreSQL 23503, MySQL/MariaDB 1451 (row is referenced), SQLite SQLITE_CONSTRAINT_FOREIGNKEY. */
export function isForeignKeyViolation(error: unknown): boolean {
  const e = error as { code?: unknown; errno?: unknown }
  return e?.code === '23503' || e?.errno === 1451 || e?.errno === 1217 || e?.code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
}
