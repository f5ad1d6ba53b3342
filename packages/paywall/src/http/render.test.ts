import { decodePaymentRequiredHeader, decodePaymentResponseHeader } from '@tollgate/core'
import { describe, expect, test } from 'vitest'
import { resolveOffer } from '../offer/resolveOffer.js'
import { buildPaymentRequired } from '../stages/challenge.js'
import { renderOutcome } from './render.js'
import type { HttpHeld } from './types.js'

const offer = resolveOffer('GET /r', {
  price: '$0.01',
  payTo: '0x1111111111111111111111111111111111111111',
  network: 'base-sepolia',
  outputSchema: { type: 'object' },
})
const resource = { url: 'http://127.0.0.1/r', description: '', mimeType: '' }
const paymentRequired = (error: string) =>
  buildPaymentRequired({
    accepts: [offer.options[0]!.requirements!],
    resource,
    error,
    extensions: { 'payment-identifier': { info: { required: false } }, erc8004: { info: {} } },
  })
const settlement = { success: true, transaction: '0x01', network: 'eip155:84532' }
const held: HttpHeld = {
  aborted: false,
  status: 200,
  snapshot: () => ({ status: 200, headers: {}, body: 'x' }),
}
const context = { offer, page: undefined }

describe('renderOutcome', () => {
  test('served while held: released with PAYMENT-RESPONSE; a v1 payment gets X-PAYMENT-RESPONSE with the v1 network', () => {
    const v2 = renderOutcome({ kind: 'served', result: held, settlement, x402Version: 2 }, context)
    expect(v2.kind).toBe('release')
    const headers = v2.kind === 'release' ? v2.headers : {}
    expect(decodePaymentResponseHeader(headers['PAYMENT-RESPONSE'] as string)).toEqual(settlement)
    const v1 = renderOutcome({ kind: 'served', result: held, settlement, x402Version: 1 }, context)
    const v1Headers = v1.kind === 'release' ? v1.headers : {}
    expect(decodePaymentResponseHeader(v1Headers['X-PAYMENT-RESPONSE'] as string).network).toBe(
      'base-sepolia',
    )
  })

  test('a kept response (replayed, or finished later): sent whole with the settlement header', () => {
    const answer = renderOutcome(
      {
        kind: 'replayed',
        result: { status: 200, headers: { 'content-type': 'text/plain' }, body: 'kept' },
        settlement,
        x402Version: 2,
      },
      context,
    )
    expect(answer).toMatchObject({
      kind: 'respond',
      response: { status: 200, body: 'kept', headers: { 'content-type': 'text/plain' } },
    })
  })

  test('not served: the handler response released as it is (with a settle-first settlement), or dropped', () => {
    expect(
      renderOutcome({ kind: 'not-served', result: held, aborted: false, x402Version: 2 }, context),
    ).toEqual({ kind: 'release', headers: {} })
    expect(
      renderOutcome(
        { kind: 'not-served', result: held, aborted: false, settlement, x402Version: 2 },
        context,
      ),
    ).toMatchObject({ kind: 'release', headers: { 'PAYMENT-RESPONSE': expect.any(String) } })
    expect(
      renderOutcome({ kind: 'not-served', result: held, aborted: true, x402Version: 2 }, context),
    ).toEqual({ kind: 'drop' })
  })

  test('a challenge: 402 or 412, the v2 header, the v1 body with outputSchema and the agent but not the payment identifier', () => {
    const answer = renderOutcome(
      {
        kind: 'payment-required',
        failure: 'precondition_required',
        paymentRequired: paymentRequired('permit2_allowance_required'),
        reason: 'permit2_allowance_required',
        message: 'allow it',
        stage: 'verify',
      },
      context,
    )
    if (answer.kind !== 'respond') throw new TypeError('expected a response')
    expect(answer.response.status).toBe(412)
    expect(answer.response.headers['Cache-Control']).toBe('no-store')
    expect(
      decodePaymentRequiredHeader(answer.response.headers['PAYMENT-REQUIRED'] as string).error,
    ).toBe('permit2_allowance_required')
    expect(JSON.parse(answer.response.body as string)).toMatchObject({
      x402Version: 1,
      error: 'permit2_allowance_required',
      message: 'allow it',
      accepts: [{ network: 'base-sepolia', outputSchema: { type: 'object' } }],
      extensions: { erc8004: { info: {} } },
    })
  })

  test('a failed settlement: 402 with the failed PAYMENT-RESPONSE', () => {
    const failed = {
      success: false,
      errorReason: 'settlement_pending',
      transaction: '0x02',
      network: 'eip155:84532',
    }
    const answer = renderOutcome(
      {
        kind: 'settlement-failed',
        failure: 'settlement_failed',
        paymentRequired: paymentRequired('settlement_pending'),
        settlement: failed,
        pending: true,
        reason: 'settlement_pending',
        message: 'again',
        stage: 'settle',
        x402Version: 2,
      },
      context,
    )
    if (answer.kind !== 'respond') throw new TypeError('expected a response')
    expect(answer.response.status).toBe(402)
    expect(
      decodePaymentResponseHeader(answer.response.headers['PAYMENT-RESPONSE'] as string),
    ).toEqual(failed)
  })

  test('a refusal: JSON with the status of its kind, Retry-After when it says when', () => {
    const answer = renderOutcome(
      {
        kind: 'refused',
        failure: 'store_unavailable',
        reason: 'paywall_store_unavailable',
        message: 'later',
        retryAfterSeconds: 1,
      },
      context,
    )
    expect(answer).toEqual({
      kind: 'respond',
      response: {
        status: 503,
        headers: {
          'Retry-After': '1',
          'Cache-Control': 'no-store',
          'Content-Type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify({ error: 'paywall_store_unavailable', message: 'later' }),
      },
    })
  })
})
