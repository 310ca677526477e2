/** The `db` actions of glance-manage 25.1.0, in the order its help lists them. */
export const DB_ACTIONS = [
  'check',
  'contract',
  'expand',
  'export_metadefs',
  'load_metadefs',
  'migrate',
  'purge',
  'purge_images_table',
  'sync',
  'unload_metadefs',
  'upgrade',
  'version',
  'version_control',
] as const
export type DbAction = (typeof DB_ACTIONS)[number]
