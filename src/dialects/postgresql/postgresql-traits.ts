import type { DialectTraits } from '../dialect.js'

export const postgresqlTraits: DialectTraits = {
  name: 'postgresql',
  // 40P01 deadlock, 40001 serialization failure.
  isRetryableConflict: (error) => {
    const code = (error as { code?: unknown } | undefined)?.code
    return code === '40P01' || code === '40001'
  },
  rowAddress: () => undefined,
  foreignKeysAlwaysEnforced: true,
}
