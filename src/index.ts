/** glance-manage's engine, operations and dialects, for any schema (README "Use as a library"). */
export * from './engine/index.js'
export * from './ops/index.js'
export * from './dialects/index.js'
