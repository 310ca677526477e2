import type { DataMigration } from '../../engine/data-migration.js'
import ocata_migrate01 from './ocata_migrate01_community_images.js'
import train_migrate01 from './train_migrate01_backend_to_store.js'

/** Every data migration with real work; Glance's `*_empty` modules have no counterpart. */
export const GLANCE_DATA_MIGRATIONS: readonly DataMigration[] = [ocata_migrate01, train_migrate01]
