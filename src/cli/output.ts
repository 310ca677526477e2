/** Where an action writes: stdout for results scripts parse, stderr for logs and errors. */
export interface Output {
  out: (line: string) => void
  err: (line: string) => void
  /** stderr is a terminal: progress lines may redraw in place. */
  readonly errIsTty: boolean
}
