// The Database type lives with the dialects, which need it too (a lower layer never imports a higher one).
export type { Database } from '../dialects/dialect.js'
