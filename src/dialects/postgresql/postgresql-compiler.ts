import type { Column, ColumnType, ServerDefault } from '../../ops/column-types.js'
import type { AlterColumn } from '../../ops/operations.js'
import { BaseCompiler, quoteLiteral } from '../base-compiler.js'
import { statement, type Statement } from '../statement.js'

export class PostgresqlCompiler extends BaseCompiler {
  readonly name = 'postgresql' as const
  protected readonly booleanChecks = false

  protected override renderType(type: ColumnType, column: Column): string {
    if (type.kind === 'integer' && column.autoincrement) return 'SERIAL'
    if (type.kind === 'bigInteger' && column.autoincrement) return 'BIGSERIAL'
    if (type.kind === 'dateTime') return 'TIMESTAMP WITHOUT TIME ZONE'
    return super.renderType(type, column)
  }

  /** A native enum type, created by createEnum. */
  protected renderEnum(name: string): string {
    return name
  }

  protected renderDefault(value: ServerDefault): string {
    return value.kind === 'string' ? quoteLiteral(value.value) : String(value.value)
  }

  protected override createEnum(name: string, values: readonly string[]): Statement[] {
    return [statement(`CREATE TYPE ${name} AS ENUM (${values.map(quoteLiteral).join(', ')})`)]
  }

  protected alterColumn(op: AlterColumn): Statement[] {
    const target = `ALTER TABLE ${this.quote(op.table)} ALTER COLUMN ${this.quote(op.column)}`
    const statements: Statement[] = []
    if (op.nullable !== undefined) statements.push(statement(`${target} ${op.nullable ? 'DROP' : 'SET'} NOT NULL`))
    if (op.default === null) statements.push(statement(`${target} DROP DEFAULT`))
    else if (op.default) statements.push(statement(`${target} SET DEFAULT ${this.renderDefault(op.default)}`))
    return statements
  }
}
