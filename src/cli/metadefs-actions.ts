import { exportMetadefs, loadMetadefs, unloadMetadefs, type MetadefLog } from '../glance/metadefs/commands.js'
import { parseLoadMode } from '../glance/metadefs/mode.js'
import { METADEF_TABLES } from '../glance/metadefs/store.js'
import type { ActionContext, ActionHandler } from './action.js'

/** Glance logs these from glance.db.sqlalchemy.metadata. */
const LOGGER = 'glance.db.sqlalchemy.metadata'

/** A refusal before the database is opened, in the layout of the log lines. */
const logLine = (level: string, message: string) => `${level.slice(0, 5).padEnd(5)} [${LOGGER}] ${message}`

export function metadefLog(context: ActionContext): MetadefLog {
  const logger = context.log.logger(LOGGER)
  return {
    info: (message) => logger.info(message),
    warning: (message) => logger.warning(message),
    error: (message) => {
      logger.error(message)
      context.report.errors.push(message)
    },
  }
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
      return 'error' in parsed ? logLine('ERROR', parsed.error) : undefined
    },
    async run(context) {
      const log = metadefLog(context)
      const parsed = parseLoadMode(context.params)
      if ('error' in parsed) {
        log.error(parsed.error)
        return 1
      }
      return loadMetadefs(context.db.conn, { path: pathParam(context), mode: parsed.mode }, log)
    },
  },
  unload_metadefs: {
    params: [],
    requiredTables: METADEF_TABLES,
    run: (context) => unloadMetadefs(context.db.conn, metadefLog(context)),
  },
  export_metadefs: {
    params: ['path'],
    requiredTables: METADEF_TABLES,
    run: (context) => exportMetadefs(context.db.conn, { path: pathParam(context) }, metadefLog(context)),
  },
}
