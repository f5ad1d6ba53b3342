import { expect, test } from 'vitest'
import { resourceMismatch } from './resource.js'

const url = new URL('https://api.example.com/report?q=1')

test('path binding: same origin and path; the query may differ', () => {
  expect(resourceMismatch('https://api.example.com/report', url, 'path')).toBeUndefined()
  expect(resourceMismatch('/report?q=2', url, 'path')).toBeUndefined()
  expect(resourceMismatch('https://api.example.com/other', url, 'path')).toBe(
    'the resource path /other is not /report, which was requested',
  )
  expect(resourceMismatch('http://api.example.com/report', url, 'path')).toBe(
    'the resource http://api.example.com is another origin than https://api.example.com, which was requested',
  )
  expect(resourceMismatch('https://api.example.com:8443/report', url, 'path')).toContain(
    'another origin',
  )
})

test('origin binding ignores the path; off checks nothing', () => {
  expect(resourceMismatch('https://api.example.com/other', url, 'origin')).toBeUndefined()
  expect(resourceMismatch('https://evil.example/report', url, 'origin')).toContain('another origin')
  expect(resourceMismatch('https://evil.example/report', url, 'off')).toBeUndefined()
  expect(resourceMismatch(undefined, url, 'off')).toBeUndefined()
})

test('a missing or unparseable resource is a mismatch', () => {
  expect(resourceMismatch(undefined, url, 'origin')).toBe('the challenge names no resource')
  expect(resourceMismatch('http://[broken', url, 'path')).toBe(
    'the resource "http://[broken" is not a URL',
  )
})
