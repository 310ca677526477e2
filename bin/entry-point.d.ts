/** What bin/glance-manage.js runs: the bundle, tsc's build, or the TypeScript sources through tsx. */
export interface EntryPoint {
  readonly kind: 'bundle' | 'compiled' | 'sources'
  readonly path: string
}

export function entryPoint(root: string): EntryPoint
