import { describe, expect, test } from 'vitest'
import { RouteConfigurationError } from '../errors.js'
import { compileRoutePattern, findRoute, matchRoute } from './routes.js'

const table = [
  'GET /report',
  'POST /reports/:id/items/:item',
  '/files/*',
  'GET /img/*.png',
  'DELETE *',
].map((key) => ({ pattern: compileRoutePattern(key), route: key }))

const match = (method: string, path: string) => {
  const found = matchRoute(table, { method, path })
  return found && { route: found.route, params: found.params }
}

describe('compileRoutePattern', () => {
  test('reads the method (optional) and the path', () => {
    expect(compileRoutePattern('get /a').method).toBe('GET')
    expect(compileRoutePattern('/a').method).toBeUndefined()
    expect(compileRoutePattern('a/b').regexp.test('/a/b')).toBe(true)
    expect(compileRoutePattern('POST /r/:id/*').names).toEqual(['id', '0'])
  })

  test('escapes regular expression characters in literal segments', () => {
    const pattern = compileRoutePattern('GET /v1.0/report+(x)')
    expect(pattern.regexp.test('/v1.0/report+(x)')).toBe(true)
    expect(pattern.regexp.test('/v1x0/reportt(x)')).toBe(false)
  })

  test('rejects a ":" without a name with RouteConfigurationError naming the route', () => {
    expect(() => compileRoutePattern('/a/:/b')).toThrow(RouteConfigurationError)
    expect(() => compileRoutePattern('/a/:/b')).toThrow(
      expect.objectContaining({
        route: '/a/:/b',
        reason: 'a ":" must be followed by a parameter name',
      }),
    )
  })
})

describe('matchRoute', () => {
  test('matches method and path, case-insensitively, with an optional trailing slash', () => {
    expect(match('GET', '/report')).toEqual({ route: 'GET /report', params: {} })
    expect(match('get', '/REPORT/')).toEqual({ route: 'GET /report', params: {} })
    expect(match('POST', '/report')).toBeUndefined()
    expect(match('GET', '/report/x')).toBeUndefined()
    expect(match('GET', '/reportx')).toBeUndefined()
  })

  test('prices HEAD like GET (Express runs the GET handler for it)', () => {
    expect(match('HEAD', '/report')?.route).toBe('GET /report')
  })

  test('captures and decodes :params', () => {
    expect(match('POST', '/reports/42/items/a%20b')).toEqual({
      route: 'POST /reports/:id/items/:item',
      params: { id: '42', item: 'a b' },
    })
    expect(match('POST', '/reports/42/items')).toBeUndefined()
    // A parameter is one segment.
    expect(match('POST', '/reports/4/2/items/x')).toBeUndefined()
    // Invalid percent-encoding is kept as written, not thrown.
    expect(match('POST', '/reports/%E0%A4%A/items/x')?.params.id).toBe('%E0%A4%A')
  })

  test('prices a percent-encoded path as the decoded path a router serves (fails closed)', () => {
    // Hono and Fastify decode `/%72eport` to `/report` before routing: it must not pass unpaid.
    expect(match('GET', '/%72eport')?.route).toBe('GET /report')
    expect(match('GET', '/%72%65port/')?.route).toBe('GET /report')
    // A malformed escape beside a valid one: the valid one is still decoded.
    expect(match('GET', '/%72eport%')).toBeUndefined()
    expect(match('POST', '/reports/%34%32/items/%')?.params).toEqual({ id: '42', item: '%' })
    // Decoded once, as routers do: a double-encoded path stays encoded.
    expect(match('GET', '/%2572eport')).toBeUndefined()
    expect(match('POST', '/reports/%2534/items/x')?.params.id).toBe('%34')
  })

  test('a * wildcard matches the rest, slashes included, for any method when none is named', () => {
    expect(match('PUT', '/files/a/b/c.txt')).toEqual({
      route: '/files/*',
      params: { '0': 'a/b/c.txt' },
    })
    expect(match('GET', '/files/')?.route).toBe('/files/*')
    expect(match('GET', '/img/logo.png')?.params).toEqual({ '0': 'logo' })
    expect(match('GET', '/img/logo.jpg')).toBeUndefined()
    expect(match('DELETE', '/anything/at/all')?.route).toBe('DELETE *')
  })

  test('the first matching entry in declaration order wins', () => {
    const ordered = ['GET /a/*', 'GET /a/b'].map((key) => ({
      pattern: compileRoutePattern(key),
      route: key,
    }))
    expect(matchRoute(ordered, { method: 'GET', path: '/a/b' })?.route).toBe('GET /a/*')
  })
})

describe('findRoute', () => {
  test('takes the entry the router chose, with its params', () => {
    expect(findRoute(table, { key: 'GET /report', params: { a: 'b' } })).toMatchObject({
      route: 'GET /report',
      params: { a: 'b' },
    })
  })

  test('a key the table does not hold throws RouteConfigurationError (never served unpriced)', () => {
    expect(() => findRoute(table, { key: 'GET /nope', params: {} })).toThrow(
      expect.objectContaining({ name: 'RouteConfigurationError', route: 'GET /nope' }),
    )
  })
})
