import type { ActionHandler } from './action.js'
import { metadefsActions } from './metadefs-actions.js'
import { purgeActions } from './purge-actions.js'

/** Actions beyond the schema lifecycle (purge, metadefs), registered by their own modules. */
export const extraActions: Record<string, ActionHandler> = {
  ...metadefsActions,
  purge: purgeActions.purge!,
  purge_images_table: purgeActions.purge_images_table!,
}
