import { column, types } from '../ops/column-types.js'
import type { ServerDefault } from '../ops/column-types.js'

/** Column shapes Glance repeats on nearly every table. */
export const FALSE: ServerDefault = { kind: 'boolean', value: false }

export const timestamps = {
  createdAt: () => column('created_at', types.dateTime(), { nullable: false }),
  updatedAt: (nullable = true) => column('updated_at', types.dateTime(), { nullable }),
  deletedAt: () => column('deleted_at', types.dateTime()),
  deleted: () => column('deleted', types.boolean(), { nullable: false }),
}

export const autoincrementId = () => column('id', types.integer(), { nullable: false, autoincrement: true })

export const VISIBILITY_VALUES = ['private', 'public', 'shared', 'community'] as const
export const visibilityType = () => types.enumOf('image_visibility', VISIBILITY_VALUES)
