/**
 * Where a load finds its files and how paths are printed, as Glance does it
 * (metadefs.md §3.2), plus Python's wording for OS errors.
 */
import fs from 'node:fs'

export type Discovery = { readonly files: readonly string[] } | { readonly error: string }

/**
 * `path` itself when it is a regular file, else the regular files in it whose
 * name ends with `.json` (case-sensitive), sorted by name. Glance takes them
 * in directory order; sorting makes ids reproducible. Unlike Glance, a
 * relative file path is read as given (Glance joins it with itself and fails).
 */
export function discoverMetadefFiles(path: string): Discovery {
  try {
    if (isFile(path)) return { files: [path] }
    const names = fs.readdirSync(path).filter((name) => name.endsWith('.json') && isFile(joinPosix(path, name)))
    names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    if (names.length === 0) return { error: `Json schema files not found in ${path}. Aborting.` }
    return { files: names.map((name) => joinPosix(path, name)) }
  } catch (error) {
    return { error: osErrorText(error, path) }
  }
}

function isFile(path: string): boolean {
  try {
    return fs.statSync(path).isFile()
  } catch {
    return false
  }
}

/** Python's `os.path.join(dir, name)` for a relative name: adds `/` unless `dir` ends with one. */
export function joinPosix(dir: string, name: string): string {
  return dir === '' || dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`
}

const ERRNO: Record<string, [number, string]> = {
  ENOENT: [2, 'No such file or directory'],
  EACCES: [13, 'Permission denied'],
  EPERM: [1, 'Operation not permitted'],
  EEXIST: [17, 'File exists'],
  ENOTDIR: [20, 'Not a directory'],
  EISDIR: [21, 'Is a directory'],
  EROFS: [30, 'Read-only file system'],
  ENOSPC: [28, 'No space left on device'],
  ENAMETOOLONG: [36, 'File name too long'],
  ELOOP: [40, 'Too many levels of symbolic links'],
}

/** `[Errno 2] No such file or directory: '<path>'`, as Python prints an OSError. */
export function osErrorText(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const known = code ? ERRNO[code] : undefined
  if (known) return `[Errno ${known[0]}] ${known[1]}: '${path}'`
  return error instanceof Error ? error.message : String(error)
}
