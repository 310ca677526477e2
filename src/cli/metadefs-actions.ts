import { exportMetadefs, loadMetadefs, unloadMetadefs, type MetadefLog } from '../glance/metadefs/commands.js'
import { parseLoadMode } from '../glance/metadefs/mode.js'
import type { ActionContext, ActionHandler } from './action.js'

/** Glance logs these from glance.db.sqlalchemy.metadata. */
const LOGGER = 'glance.db.sqlalchemy.metadata'

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
    async run(context) {
      const log = metadefLog(context)
      // Refused combinations are logged and exit 0, as Glance does, before the database is touched.
      const parsed = parseLoadMode(context.params)
      if ('error' in parsed) {
        log.error(parsed.error)
        return 0
      }
      return loadMetadefs(context.db.conn, { path: pathParam(context), mode: parsed.mode }, log)
    },
  },
  unload_metadefs: {
    params: [],
    run: (context) => unloadMetadefs(context.db.conn, metadefLog(context)),
  },
  export_metadefs: {
    params: ['path'],
    run: (context) => exportMetadefs(context.db.conn, { path: pathParam(context) }, metadefLog(context)),
  },
}
