import { exportMetadefs, loadMetadefs, unloadMetadefs } from '../glance/metadefs/commands.js'
import { parseLoadMode } from '../glance/metadefs/mode.js'
import { METADEF_TABLES } from '../glance/metadefs/store.js'
import type { ActionContext, ActionHandler } from './action.js'
import { loadModeRefusal, sayExport, sayLoad, sayUnload, type Logged } from './messages.js'

/** Glance logs these from glance.db.sqlalchemy.metadata. */
const LOGGER = 'glance.db.sqlalchemy.metadata'

/** A refusal before the database is opened, in the layout of the log lines. */
const logLine = (level: string, message: string) => `${level.slice(0, 5).padEnd(5)} [${LOGGER}] ${message}`

/** Logs what a command said (errors go to the report too) and returns its exit code; JSON carries `result`. */
export function emitLogged(said: Logged, context: ActionContext, result?: unknown): number {
  if (result !== undefined) context.report.extra.result = result
  const logger = context.log.logger(LOGGER)
  for (const { level, message } of said.lines) {
    logger[level](message)
    if (level === 'error') context.report.errors.push(message)
  }
  return said.exitCode
}

/** `--path` or the positional path; empty or absent means `[DEFAULT] metadata_source_path`. */
function pathParam(context: ActionContext): string {
  const path = context.params.path
  return typeof path === 'string' && path !== '' ? path : context.config.metadataSourcePath
}

export const metadefsActions: Record<string, ActionHandler> = {
  load_metadefs: {
    params: ['path', 'merge', 'prefer_new', 'overwrite'],
    requiredTables: METADEF_TABLES,
    // Refused combinations are Glance's message (Glance logs it and exits 0; we exit 1), before the database is opened.
    validate: (params) => {
      const parsed = parseLoadMode(params)
      return 'refused' in parsed ? logLine('ERROR', loadModeRefusal(parsed.refused)) : undefined
    },
    async run(context) {
      const parsed = parseLoadMode(context.params)
      if ('refused' in parsed)
        return emitLogged({ lines: [{ level: 'error', message: loadModeRefusal(parsed.refused) }], exitCode: 1 }, context)
      const result = await loadMetadefs(context.db.conn, { path: pathParam(context), mode: parsed.mode })
      return emitLogged(sayLoad(result), context, result)
    },
  },
  unload_metadefs: {
    params: [],
    requiredTables: METADEF_TABLES,
    async run(context) {
      const result = await unloadMetadefs(context.db.conn)
      return emitLogged(sayUnload(result), context, result)
    },
  },
  export_metadefs: {
    params: ['path'],
    requiredTables: METADEF_TABLES,
    async run(context) {
      const result = await exportMetadefs(context.db.conn, { path: pathParam(context) })
      return emitLogged(sayExport(result), context, result)
    },
  },
}
