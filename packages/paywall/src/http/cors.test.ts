import { expect, test } from 'vitest'
import {
  applyCors,
  corsResponseHeaders,
  mergeHeaderList,
  preflightResponse,
  resolveCors,
} from './cors.js'

const preflight = (option: Parameters<typeof resolveCors>[0], origin = 'https://a.example') =>
  preflightResponse(resolveCors(option)!, {
    origin,
    requestMethod: 'post',
    requestHeaders: 'X-PAYMENT, authorization',
  })

test('off when false', () => {
  expect(resolveCors(false)).toBeUndefined()
})

test('default: any origin, the x402 headers allowed and exposed, requested headers reflected', () => {
  expect(preflight(undefined)).toEqual({
    status: 204,
    body: '',
    headers: {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers':
        'PAYMENT-SIGNATURE, X-PAYMENT, Access-Control-Expose-Headers, Content-Type, authorization',
      'Access-Control-Expose-Headers': 'PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
      'Access-Control-Max-Age': '600',
      'Content-Length': '0',
    },
  })
})

test('an origin list, a predicate, credentials', () => {
  expect(preflight({ origin: ['https://b.example'] })).toBeUndefined()
  expect(preflight({ origin: ['https://a.example'] })?.headers).toMatchObject({
    'Access-Control-Allow-Origin': 'https://a.example',
    Vary: 'Origin',
  })
  expect(preflight({ origin: (o) => o.endsWith('.example') })).toBeDefined()
  expect(preflight({ origin: 'https://a.example', allowHeaders: [] })?.headers).toMatchObject({
    'Access-Control-Allow-Headers':
      'PAYMENT-SIGNATURE, X-PAYMENT, Access-Control-Expose-Headers, Content-Type',
  })
  const withCredentials = resolveCors({ credentials: true })!
  // With credentials the origin is echoed, never "*".
  expect(corsResponseHeaders(withCredentials, 'https://a.example')).toEqual({
    allowOrigin: 'https://a.example',
    credentials: true,
    vary: true,
  })
})

test('mergeHeaderList appends each name once', () => {
  expect(mergeHeaderList('ETag, payment-required', ['PAYMENT-REQUIRED', 'PAYMENT-RESPONSE'])).toBe(
    'ETag, payment-required, PAYMENT-RESPONSE',
  )
  expect(mergeHeaderList(undefined, ['A'])).toBe('A')
})

test('the x402 headers are exposed alone, or added once to the list an earlier middleware set', () => {
  const response = (initial: Record<string, string>) => {
    const headers = new Map(Object.entries(initial))
    return {
      headers,
      getHeader: (name: string) => headers.get(name),
      setHeader: (name: string, value: string) => void headers.set(name, value),
    }
  }
  const cors = resolveCors(true)!
  const fresh = response({})
  applyCors(cors, 'https://a.example', fresh)
  expect(fresh.headers.get('Access-Control-Expose-Headers')).toBe(
    'PAYMENT-REQUIRED, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
  )
  const earlier = response({ 'Access-Control-Expose-Headers': 'X-Trace, payment-required' })
  applyCors(cors, 'https://a.example', earlier)
  expect(earlier.headers.get('Access-Control-Expose-Headers')).toBe(
    'X-Trace, payment-required, PAYMENT-RESPONSE, X-PAYMENT-RESPONSE',
  )
})
