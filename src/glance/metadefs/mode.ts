/**
 * How a load treats a namespace that is already in the database. Glance
 * passes three booleans (merge, prefer_new, overwrite) down to the per-row
 * code; here they are turned into one value at the edge, and the two
 * combinations Glance refuses are refused (the CLI says so in Glance's words).
 */
export type LoadMode =
  /** Insert new namespaces; skip a file whose namespace exists. */
  | 'plain'
  /** Existing rows stay untouched; missing children are added. */
  | 'merge'
  /** Existing namespace and matching children are updated from the file; missing ones added; extra rows kept. */
  | 'merge-prefer-new'
  /** An existing namespace is deleted with its children and loaded again from the file. */
  | 'merge-overwrite'

export const LOAD_MODES: readonly LoadMode[] = ['plain', 'merge', 'merge-prefer-new', 'merge-overwrite']

/** The two combinations Glance refuses: --prefer_new or --overwrite without --merge, and both of them. */
export type LoadModeRefusal = 'needsMerge' | 'oneOf'

export type ModeResult = { readonly mode: LoadMode } | { readonly refused: LoadModeRefusal }

/**
 * Python truthiness of a parameter: flags arrive as booleans, the legacy
 * positional form `db_load_metadefs <path> <merge> <prefer_new> <overwrite>`
 * passes raw strings, and any non-empty string (even `False` or `0`) is true.
 */
export function truthy(value: unknown): boolean {
  if (typeof value === 'string') return value !== ''
  return value === true
}

/** The checks of Glance's `load_metadefs`, in its order (metadefs.md §3.1). */
export function parseLoadMode(flags: { merge?: unknown; prefer_new?: unknown; overwrite?: unknown }): ModeResult {
  const merge = truthy(flags.merge)
  const preferNew = truthy(flags.prefer_new)
  const overwrite = truthy(flags.overwrite)
  if (!merge && (preferNew || overwrite)) return { refused: 'needsMerge' }
  if (preferNew && overwrite) return { refused: 'oneOf' }
  if (!merge) return { mode: 'plain' }
  return { mode: preferNew ? 'merge-prefer-new' : overwrite ? 'merge-overwrite' : 'merge' }
}
