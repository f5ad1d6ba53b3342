// Calls App Router route handlers the way Next.js does, on a real HTTP server on loopback: the
// request as a `NextRequest`, the second argument `{ params }` with `params` a Promise (Next 15
// and later), a `HEAD` answered by the `GET` handler without its body. Running `next start` for
// every test would cost a build per suite; `examples/paid-api-next` runs one real Next server.
import { type ListenReturnType, listen } from '@tollgate/test'
import { NextRequest } from 'next/server'

/** A route module's exports: `GET`, `POST`, ... */
export type RouteModule = Record<
  string,
  (
    request: NextRequest,
    context: { params: Promise<Record<string, string>> },
  ) => Promise<Response> | Response
>

/** `/reports/[pages]` -> a matcher for its path and params. */
function compile(pattern: string): (path: string) => Record<string, string> | undefined {
  const names: string[] = []
  const source = pattern.replace(/\[([^\]]+)\]/g, (_, name: string) => {
    names.push(name)
    return '([^/]+)'
  })
  const regexp = new RegExp(`^${source}/?$`)
  return (path) => {
    const found = regexp.exec(path)
    if (!found) return undefined
    return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(found[i + 1]!)]))
  }
}

/** Serves route modules by their App Router path (`/reports/[pages]`). */
export function serveRouteHandlers(routes: Record<string, RouteModule>): Promise<ListenReturnType> {
  const table = Object.entries(routes).map(([pattern, module]) => ({
    match: compile(pattern),
    module,
  }))
  return listen({
    async fetch(request) {
      const path = new URL(request.url).pathname
      for (const { match, module } of table) {
        const params = match(path)
        if (!params) continue
        const head = request.method === 'HEAD'
        const handler = module[request.method] ?? (head ? module.GET : undefined)
        if (!handler) return new Response(null, { status: 405 })
        const response = await handler(new NextRequest(request), {
          params: Promise.resolve(params),
        })
        return head ? new Response(null, response) : response
      }
      return new Response('not found', { status: 404 })
    },
  })
}
