import { FacilitatorError } from '@tollgate/core'
import { expect, test } from 'vitest'
import { createReport, describeError, redact } from './logger.js'

const signature = `0x${'ab'.repeat(65)}`

test('redact: URL credentials and queries, auth values, key fields, long hex and long base64', () => {
  expect(
    redact(
      [
        'GET http://admin:hunter2@facilitator.example/settle?apiKey=K123&x=1 (retry)',
        'Authorization: Bearer sk_live_abc, X-API-Key: k-999',
        `{"password":"p4ss","private_key":"0x1"} signature ${signature}`,
        `header ${Buffer.from('x'.repeat(200)).toString('base64')}`,
        `tx 0x${'cd'.repeat(20)} kept`,
      ].join('\n'),
    ),
  ).toMatchInlineSnapshot(`
    "GET http://[redacted]@facilitator.example/settle?[redacted] (retry)
    Authorization: [redacted] [redacted], X-API-Key: [redacted]
    {"password":"[redacted]","private_key":"[redacted]"} signature 0x[redacted]
    header [redacted]
    tx 0xcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd kept"
  `)
})

test('describeError: name, code, short message, meta and causes on one redacted line', () => {
  const error = new FacilitatorError({
    operation: 'verify',
    url: 'https://user:pw@facilitator.example/verify?token=abc',
    reason: 'request failed.',
    cause: new TypeError('fetch failed', { cause: new Error(`echo ${signature}`) }),
  })
  expect(describeError(error)).toMatchInlineSnapshot(
    `"FacilitatorError [TOLLGATE_FACILITATOR]: Facilitator verify failed: request failed. (URL: https://[redacted]@facilitator.example/verify?[redacted]) <- TypeError: fetch failed <- Error: echo 0x[redacted]"`,
  )
  expect(describeError('plain')).toBe('plain')
})

test('a report keeps public fields, redacts other strings, describes errors, drops objects', () => {
  const lines: unknown[][] = []
  const report = createReport({ warn: (...args) => lines.push(args) })
  report('warn', 'something', {
    route: 'GET /r',
    transaction: `0x${'ef'.repeat(32)}`,
    message: `failed with ${signature}`,
    attempts: 2,
    request: { headers: { 'payment-signature': 'secret' } },
    error: new Error('boom'),
  })
  report('error', 'not a warning', {})
  expect(lines).toEqual([
    [
      'tollgate paywall: something',
      {
        route: 'GET /r',
        transaction: `0x${'ef'.repeat(32)}`,
        message: 'failed with 0x[redacted]',
        attempts: 2,
        error: 'Error: boom',
      },
    ],
  ])
})

test('a logger that throws changes nothing', () => {
  const report = createReport({
    warn: () => {
      throw new Error('logger down')
    },
  })
  expect(() => report('warn', 'x', {})).not.toThrow()
})
