import { spawn } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
export const BIN = join(ROOT, 'bin', 'glance-manage.js')

export interface CliResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** A glance-manage.conf holding just `[database] connection = <url>` (as Glance's functional tests do). */
export function configFor(url: string, extra = ''): string {
  const dir = mkdtempSync(join(tmpdir(), 'glance-manage-conf-'))
  const file = join(dir, 'glance-manage.conf')
  writeFileSync(file, `[database]\nconnection = ${url}\n${extra}`)
  return file
}

/** Runs the real entry point in a child process, with HOME pointing at an empty directory. */
export function runCli(args: readonly string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  const home = mkdtempSync(join(tmpdir(), 'glance-manage-home-'))
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? home,
      env: { ...process.env, HOME: home, ...options.env },
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/** `glance-manage --config-file <conf> db <args...>` */
export function db(conf: string, ...args: string[]): Promise<CliResult> {
  return runCli(['--config-file', conf, 'db', ...args])
}
