import type { DialectTraits } from '../dialect.js'

export const mysqlTraits: DialectTraits = {
  name: 'mysql',
  // 1213 deadlock (on Galera also a certification conflict with a write committed on another node), 1205 lock wait timeout.
  isRetryableConflict: (error) => {
    const errno = (error as { errno?: unknown } | undefined)?.errno
    return errno === 1213 || errno === 1205
  },
  rowAddress: () => undefined,
  foreignKeysAlwaysEnforced: true,
}
