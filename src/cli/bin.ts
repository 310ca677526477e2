import { main } from './main.js'

const output = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
  errIsTty: process.stderr.isTTY === true,
}

process.exitCode = await main(process.argv.slice(2), output, 'glance-manage')
