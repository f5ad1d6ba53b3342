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

/** The first entry, in declaration order, whose method and path match. */
export function matchRoute<route>(
  table: readonly { pattern: RoutePattern; route: route }[],
  { method, path }: { method: string; path: string },
): RouteMatch<route> | undefined {
  const upper = method.toUpperCase()
  for (const entry of table) {
    if (!methodMatches(entry.pattern.method, upper)) continue
    const found = entry.pattern.regexp.exec(path)
    if (!found) continue
    const params: Record<string, string> = {}
    entry.pattern.names.forEach((name, index) => {
      params[name] = decodeParam(found[index + 1] ?? '')
    })
    return { pattern: entry.pattern, route: entry.route, params }
  }
  return undefined
}
