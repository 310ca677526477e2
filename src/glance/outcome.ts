/**
 * What a glance-manage action produced: the lines Glance prints on stdout
 * (scripts parse them, so the words are Glance's), and the exit code.
 * An `error` is printed on stderr as one line.
 */
export interface Outcome {
  readonly stdout: string[]
  readonly exitCode: number
  readonly error?: string
}

export function ok(...stdout: string[]): Outcome {
  return { stdout, exitCode: 0 }
}

export function fail(error: string, stdout: string[] = []): Outcome {
  return { stdout, exitCode: 1, error }
}
