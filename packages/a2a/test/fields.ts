/**
 * Every field of `expected` (a spec example) against `actual`: the paths where they differ. An
 * object's keys and an array's entries are those of the example; `actual` may carry more (the
 * SDK's `contextId`, `messageId`, `history`...). `instead` gives, by path, the value expected in
 * place of an example's placeholder.
 */
export function differingFields(
  expected: unknown,
  actual: unknown,
  instead: Readonly<Record<string, unknown>> = {},
  path = '',
): string[] {
  if (path in instead) expected = instead[path]
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`]
    const lengths =
      expected.length === actual.length
        ? []
        : [`${path}: ${actual.length} entries, not ${expected.length}`]
    return [
      ...lengths,
      ...expected.flatMap((entry, index) =>
        differingFields(entry, actual[index], instead, `${path}[${index}]`),
      ),
    ]
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual))
      return [`${path}: expected an object, got ${JSON.stringify(actual)}`]
    return Object.entries(expected).flatMap(([key, value]) =>
      key in actual
        ? differingFields(
            value,
            (actual as Record<string, unknown>)[key],
            instead,
            `${path}.${key}`,
          )
        : [`${path}.${key}: missing`],
    )
  }
  return Object.is(expected, actual)
    ? []
    : [`${path}: ${JSON.stringify(actual)}, not ${JSON.stringify(expected)}`]
}
