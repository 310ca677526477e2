/**
 * A local ESLint rule: outside src/dialects, code asks the dialect what it
 * can do (its traits, conventions, capabilities) and never compares its name.
 * Reported: `==`/`!=`/`===`/`!==` between a dialect name ('sqlite',
 * 'postgresql', 'mysql') and an expression that holds one (a member or
 * variable called `dialect` or `name`, or anything whose type is only dialect
 * names, such as DialectName); a `switch` on such an expression; a `case` of
 * a dialect name; `[...].includes(x)` of such an expression. Indexing a
 * `Record<DialectName, …>` stays allowed: a missing entry does not compile,
 * whereas a comparison silently takes the other branch for a new dialect.
 */
const DIALECT_NAMES = new Set(['sqlite', 'postgresql', 'mysql'])
const HOLDER_NAMES = /^(?:dialect|dialectName|name)$/

const isDialectLiteral = (node) => node?.type === 'Literal' && typeof node.value === 'string' && DIALECT_NAMES.has(node.value)

/** `dialect`, `x.dialect`, `x.dialect.name`, `x?.name`: the name of what the expression reads. */
function readName(node) {
  if (node.type === 'ChainExpression') return readName(node.expression)
  if (node.type === 'TSAsExpression' || node.type === 'TSNonNullExpression') return readName(node.expression)
  if (node.type === 'Identifier') return node.name
  if (node.type === 'MemberExpression' && !node.computed && node.property.type === 'Identifier') return node.property.name
  return undefined
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid comparing a dialect name outside src/dialects: ask the dialect instead' },
    schema: [],
    messages: {
      comparison:
        'compares a dialect name ({{what}}) outside src/dialects: ask the dialect (a DialectTraits or Dialect member) or index a Record<DialectName, …>.',
    },
  },
  create(context) {
    const services = context.sourceCode.parserServices
    const checker = services?.program ? services.program.getTypeChecker() : undefined

    /** The type of `node` is one or more dialect-name literals and nothing else. */
    const typedAsDialectName = (node) => {
      if (!checker || !services.esTreeNodeToTSNodeMap) return false
      const type = checker.getTypeAtLocation(services.esTreeNodeToTSNodeMap.get(node))
      const parts = type.isUnion() ? type.types : [type]
      return parts.length > 0 && parts.every((t) => t.isStringLiteral() && DIALECT_NAMES.has(t.value))
    }
    const holdsDialectName = (node) => {
      const name = readName(node)
      return (name !== undefined && HOLDER_NAMES.test(name)) || typedAsDialectName(node)
    }
    const report = (node, what) => context.report({ node, messageId: 'comparison', data: { what } })
    const text = (node) => context.sourceCode.getText(node)

    return {
      BinaryExpression(node) {
        if (!['==', '!=', '===', '!=='].includes(node.operator)) return
        const [literal, other] = isDialectLiteral(node.right) ? [node.right, node.left] : [node.left, node.right]
        if (isDialectLiteral(literal) && holdsDialectName(other)) report(node, text(node))
      },
      SwitchStatement(node) {
        if (holdsDialectName(node.discriminant)) report(node.discriminant, `switch (${text(node.discriminant)})`)
      },
      SwitchCase(node) {
        if (isDialectLiteral(node.test) && !holdsDialectName(node.parent.discriminant)) report(node.test, `case ${text(node.test)}`)
      },
      CallExpression(node) {
        const callee = node.callee
        if (callee.type !== 'MemberExpression' || callee.computed || callee.property.name !== 'includes') return
        const [arg] = node.arguments
        const object = callee.object.type === 'TSAsExpression' ? callee.object.expression : callee.object
        const list = object.type === 'ArrayExpression' && object.elements.some(isDialectLiteral)
        if (arg && list && holdsDialectName(arg)) report(node, text(node))
      },
    }
  },
}
