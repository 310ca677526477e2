/**
 * What the metadefs commands did, as data; src/cli/messages.ts turns each
 * result into Glance's log lines and the exit code.
 */
import type { MetadefFileError } from './document.js'
import type { LoadAction } from './plan.js'

export type LoadResult =
  /** The path holds no file to load, or cannot be read (`problem` says which, in Glance's words). */
  | { readonly kind: 'noFiles'; readonly problem: string }
  /** Files that failed their checks; nothing was loaded. */
  | { readonly kind: 'invalidFiles'; readonly errors: readonly MetadefFileError[] }
  /** The database refused the load, which was rolled back. */
  | { readonly kind: 'loadFailed'; readonly problem: string }
  | { readonly kind: 'loaded'; readonly actions: readonly LoadAction[] }

export interface UnloadResult {
  readonly kind: 'unloaded'
  /** In the order they were cleared. */
  readonly tables: readonly string[]
}

export interface ExportedFile {
  /** The file's base name (display_name without non-alphanumerics). */
  readonly namespace: string
  readonly file: string
  /** The file existed before. */
  readonly overwrote: boolean
  /** Why it could not be written (Python's OSError text); absent when it was. */
  readonly failure?: string
}

export type ExportResult =
  /** A namespace cannot be exported; no file was written. */
  | { readonly kind: 'refused'; readonly problem: string }
  | {
      readonly kind: 'exported'
      readonly path: string
      /** `path` is a directory without a trailing '/', so the files land beside it. */
      readonly unslashedDirectory: boolean
      readonly files: readonly ExportedFile[]
    }
