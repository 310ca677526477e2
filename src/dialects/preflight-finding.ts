/**
 * `blocker`: a schema upgrade would fail or do harm; `warning`: an online
 * upgrade (expand with triggers) or a later step would; `ok` / `info`: said
 * for the record.
 */
export type Severity = 'ok' | 'info' | 'warning' | 'blocker'

/** One answer of `db check --preflight`. */
export interface Finding {
  /** Short name of what was checked (`server`, `privileges`, `binary log`, ...). */
  readonly check: string
  readonly severity: Severity
  readonly detail: string
}

export const finding = (check: string, severity: Severity, detail: string): Finding => ({ check, severity, detail })
