import { RouteConfigurationError } from '../errors.js'

/** A compiled route key: `"GET /reports/:id"` or `"/files/*"` (any method). */
export type RoutePattern = {
  /** The key as written in the route table. */
  key: string
  /** Upper-case method, or `undefined` when the key names no method (any method matches). */
  method: string | undefined
  /** Names of the `:params` and `*` wildcards (`'0'`, `'1'`, ...), in order. */
  names: readonly string[]
  regexp: RegExp
}

/** A route table entry whose pattern matched a request. */
export type RouteMatch<route> = {
  pattern: RoutePattern
  route: route
  params: Record<string, string>
}

const methodPattern = /^([A-Za-z]+)\s+(\S.*)$/

/**
 * Compiles a route key (throws `RouteConfigurationError`). `:name` matches one path segment, `*` matches anything (slashes
 * included, possibly empty); matching is case-insensitive and tolerates one trailing slash, as
 * Express's router does by default.
 */
export function compileRoutePattern(key: string): RoutePattern {
  const trimmed = key.trim()
  const withMethod = methodPattern.exec(trimmed)
  const method = withMethod ? withMethod[1]!.toUpperCase() : undefined
  let path = withMethod ? withMethod[2]!.trim() : trimmed
  if (!path.startsWith('/') && path !== '*') path = `/${path}`
  const names: string[] = []
  let source = ''
  let wildcards = 0
  for (let i = 0; i < path.length; i++) {
    const char = path[i]!
    if (char === ':') {
      const name = /^[A-Za-z_$][\w$]*/.exec(path.slice(i + 1))?.[0]
      if (!name)
        throw new RouteConfigurationError({
          route: key,
          reason: 'a ":" must be followed by a parameter name',
        })
      names.push(name)
      source += '([^/]+)'
      i += name.length
    } else if (char === '*') {
      names.push(String(wildcards++))
      source += '(.*)'
    } else source += char.replace(/[.+?^${}()|[\]\\]/g, '\\$&')
  }
  // A trailing slash is optional on both sides: "/report" matches "/report/" and vice versa.
  source = source.replace(/\/$/, '')
  return { key, method, names, regexp: new RegExp(`^${source}/?$`, 'i') }
}

/** Whether `method` (upper-case) is priced by a pattern for `patternMethod`. */
function methodMatches(patternMethod: string | undefined, method: string): boolean {
  if (patternMethod === undefined) return true
  if (patternMethod === method) return true
  // A HEAD runs the GET handler in Express: price it like the GET, or it would be served free.
  return patternMethod === 'GET' && method === 'HEAD'
}

/** Path parameters decoded, or the raw text when it is not valid percent-encoding. */
function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/**
 * The path, and its percent-decoded form when it has one: a router that decodes before matching
 * (Hono, Fastify's find-my-way) serves `/%72eport` as `/report`, so the paywall prices it as
 * `/report` too. Each valid `%XX` run is decoded on its own and a malformed `%` left as it is,
 * so a malformed escape can never make the decoded form disappear (fail closed).
 */
function pathForms(path: string): readonly string[] {
  if (!path.includes('%')) return [path]
  const decoded = path.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run)
    } catch {
      return run
    }
  })
  return decoded === path ? [path] : [path, decoded]
}

/** The first entry, in declaration order, whose method and path (as sent or decoded) match. */
export function matchRoute<route>(
  table: readonly { pattern: RoutePattern; route: route }[],
  { method, path }: { method: string; path: string },
): RouteMatch<route> | undefined {
  const upper = method.toUpperCase()
  const forms = pathForms(path)
  for (const entry of table) {
    if (!methodMatches(entry.pattern.method, upper)) continue
    const index = forms.findIndex((form) => entry.pattern.regexp.test(form))
    if (index === -1) continue
    const found = entry.pattern.regexp.exec(forms[index]!)!
    // Params of the path as sent are decoded here; those of the decoded form already are.
    const decode = index === 0 ? decodeParam : (value: string) => value
    const params: Record<string, string> = {}
    entry.pattern.names.forEach((name, position) => {
      params[name] = decode(found[position + 1] ?? '')
    })
    return { pattern: entry.pattern, route: entry.route, params }
  }
  return undefined
}

/**
 * The entry a framework's router already chose (by its key), with the router's params. A key the
 * table does not hold is an adapter's bug: it throws `RouteConfigurationError` rather than serve
 * the route unpriced.
 */
export function findRoute<route>(
  table: readonly { pattern: RoutePattern; route: route }[],
  { key, params }: { key: string; params: Readonly<Record<string, string>> },
): RouteMatch<route> {
  const entry = table.find((candidate) => candidate.pattern.key === key)
  if (!entry)
    throw new RouteConfigurationError({ route: key, reason: 'it is not in the route table' })
  return { pattern: entry.pattern, route: entry.route, params: { ...params } }
}
