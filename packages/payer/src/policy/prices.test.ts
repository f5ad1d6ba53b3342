import { describe, expect, test } from 'vitest'
import { InvalidPolicyError } from '../errors/policy.js'
import type { Limit } from './limit.js'
import { matchPrice, resolvePriceList } from './prices.js'

const match = (list: Record<string, Limit>, url: string, method = 'GET') =>
  matchPrice(resolvePriceList(list), { method, url: new URL(url) })?.source

describe('matchPrice', () => {
  const list = {
    'api.example.com': '$0.01',
    'api.example.com:8443': '$0.02',
    'https://api.example.com/reports/*': '$0.03',
    'https://api.example.com/reports/annual*': '$0.04',
    'https://api.example.com/reports/annual': '$0.05',
    'POST https://api.example.com/reports/annual': '$0.06',
    'https://other.example*': {
      amount: 7n,
      asset: { network: 'eip155:8453', address: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913' },
    },
  }

  test('the most specific key wins: URL, then the longest prefix, then the host', () => {
    expect(match(list, 'https://api.example.com/weather')).toBe('api.example.com')
    expect(match(list, 'https://api.example.com:8443/weather')).toBe('api.example.com:8443')
    expect(match(list, 'https://api.example.com/reports/daily')).toBe(
      'https://api.example.com/reports/*',
    )
    expect(match(list, 'https://api.example.com/reports/annual-2025')).toBe(
      'https://api.example.com/reports/annual*',
    )
    expect(match(list, 'https://api.example.com/reports/annual?year=2025')).toBe(
      'https://api.example.com/reports/annual',
    )
    expect(match(list, 'https://api.example.com/reports/annual', 'POST')).toBe(
      'POST https://api.example.com/reports/annual',
    )
    expect(match(list, 'https://other.example/anything')).toBe('https://other.example*')
    expect(match(list, 'https://unlisted.example/')).toBeUndefined()
  })

  test('a method-bound key does not match other methods', () => {
    expect(match({ 'POST https://a.example/x': '$1' }, 'https://a.example/x')).toBeUndefined()
  })

  test('the host is compared case-insensitively, and a prefix must be a prefix of the path', () => {
    expect(match({ 'API.Example.com': '$1' }, 'https://api.example.com/')).toBe('API.Example.com')
    expect(match({ 'https://a.example/rep*': '$1' }, 'https://a.example/report')).toBe(
      'https://a.example/rep*',
    )
    expect(match({ 'https://a.example/rep*': '$1' }, 'https://a.example/other')).toBeUndefined()
  })
})

test('malformed keys and prices fail when the list is resolved, naming the key', () => {
  expect(() => resolvePriceList({ 'https://': '$1' })).toThrow(InvalidPolicyError)
  expect(() => resolvePriceList({ 'api.example.com/path': '$1' })).toThrow(
    'The policy option prices["api.example.com/path"] is invalid: the key is neither a host nor a URL.',
  )
  expect(() => resolvePriceList({ 'api.example.com': '-1' })).toThrow(InvalidPolicyError)
  // A bare bigint says atomic units of no asset in particular.
  expect(() => resolvePriceList({ 'api.example.com': 7n as never })).toThrow(
    /prices\["api.example.com"\] is invalid: a bare bigint/,
  )
})
