import type { PaymentPayload, PaymentRequirements, PaymentRequirementsV1 } from '@tollgate/core'
import { reasons } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import { describe, expect, test } from 'vitest'
import { createPaymentPayload } from './createPaymentPayload.js'
import { normalizePayment, verifyPayment } from './verifyPayment.js'

const devnet = useDevnet({ accounts: 2 })

const v2 = (): PaymentRequirements => ({
  scheme: 'exact',
  network: devnet.network,
  amount: '1000',
  asset: devnet.usdc.address,
  payTo: devnet.accounts[1]!.address,
  maxTimeoutSeconds: 60,
  extra: { name: 'USD Coin', version: '2' },
})
const v1 = (): PaymentRequirementsV1 => ({
  scheme: 'exact',
  network: devnet.network,
  maxAmountRequired: '1000',
  resource: 'http://127.0.0.1/report',
  description: '',
  mimeType: 'application/json',
  payTo: devnet.accounts[1]!.address,
  maxTimeoutSeconds: 60,
  asset: devnet.usdc.address,
  extra: { name: 'USD Coin', version: '2' },
})

describe('verifyPayment', () => {
  test('v2: valid', async () => {
    const payer = devnet.accounts[0]!
    const paymentPayload = await createPaymentPayload(payer.account, { requirements: v2() })
    expect(
      await verifyPayment(devnet.publicClient, { paymentPayload, paymentRequirements: v2() }),
    ).toEqual({ isValid: true, payer: payer.address })
  })

  test('v1: valid (maxAmountRequired is the amount)', async () => {
    const payer = devnet.accounts[0]!
    const paymentPayload = await createPaymentPayload(payer.account, { requirements: v1() })
    expect(
      await verifyPayment(devnet.publicClient, { paymentPayload, paymentRequirements: v1() }),
    ).toEqual({ isValid: true, payer: payer.address })
  })

  test('a wrong value: v2 and v1 reasons as in the reference', async () => {
    const payer = devnet.accounts[0]!
    const payloadV2 = await createPaymentPayload(payer.account, { requirements: v2() })
    expect(
      await verifyPayment(devnet.publicClient, {
        paymentPayload: payloadV2,
        paymentRequirements: { ...v2(), amount: '1001' },
      }),
    ).toMatchObject({ invalidReason: reasons.invalidExactEvmPayloadAuthorizationValueMismatch })
    const payloadV1 = await createPaymentPayload(payer.account, { requirements: v1() })
    expect(
      await verifyPayment(devnet.publicClient, {
        paymentPayload: payloadV1,
        paymentRequirements: { ...v1(), maxAmountRequired: '999' },
      }),
    ).toMatchObject({ invalidReason: reasons.invalidExactEvmAuthorizationValue })
  })

  test('accepted on another network than the requirement: network mismatch', async () => {
    const payer = devnet.accounts[0]!
    const paymentPayload = await createPaymentPayload(payer.account, { requirements: v2() })
    const moved: PaymentPayload = {
      ...paymentPayload,
      accepted: { ...paymentPayload.accepted, network: 'eip155:1' },
    }
    expect(
      await verifyPayment(devnet.publicClient, {
        paymentPayload: moved,
        paymentRequirements: v2(),
      }),
    ).toMatchObject({ isValid: false, invalidReason: reasons.invalidExactEvmNetworkMismatch })
  })
})

describe('normalizePayment', () => {
  const signature = `0x${'11'.repeat(65)}`
  const authorization = {
    from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
    to: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
    value: '1000',
    validAfter: '0',
    validBefore: '9999999999',
    nonce: `0x${'ab'.repeat(32)}`,
  }
  const requirements: PaymentRequirements = {
    scheme: 'exact',
    network: 'eip155:8453',
    amount: '1000',
    asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
    payTo: authorization.to,
    maxTimeoutSeconds: 60,
    extra: { name: 'USD Coin', version: '2' },
  }

  test('v1 fields map onto the v2 names', () => {
    const requirementsV1: PaymentRequirementsV1 = {
      scheme: 'exact',
      network: 'base',
      maxAmountRequired: '1000',
      resource: 'https://x.example',
      description: '',
      mimeType: '',
      payTo: authorization.to,
      maxTimeoutSeconds: 60,
      asset: requirements.asset,
      extra: { name: 'USD Coin', version: '2' },
    }
    expect(
      normalizePayment({
        paymentPayload: {
          x402Version: 1,
          scheme: 'exact',
          network: 'base',
          payload: { signature, authorization },
        },
        paymentRequirements: requirementsV1,
      }),
    ).toEqual({
      ok: true,
      payment: {
        x402Version: 1,
        payload: { signature, authorization },
        accepted: { scheme: 'exact', network: 'base' },
        requirements: {
          scheme: 'exact',
          network: 'base',
          amount: '1000',
          asset: requirements.asset,
          payTo: authorization.to,
          extra: { name: 'USD Coin', version: '2' },
        },
      },
    })
  })

  test.each([
    ['a Permit2 payload', { signature, permit2Authorization: {} }, reasons.unsupportedPayloadType],
    ['no authorization', { signature }, reasons.invalidPayload],
    ['a non-hex signature', { signature: 'nope', authorization }, reasons.invalidPayload],
    [
      'a short nonce',
      { signature, authorization: { ...authorization, nonce: '0x12' } },
      reasons.invalidPayload,
    ],
  ])('%s: %s', (_, payload, reason) => {
    const result = normalizePayment({
      paymentPayload: { x402Version: 2, accepted: requirements, payload },
      paymentRequirements: requirements,
    })
    expect(result).toMatchObject({ ok: false, response: { isValid: false, invalidReason: reason } })
  })

  test('payload and requirements of different x402 versions: invalid_x402_version', () => {
    const result = normalizePayment({
      paymentPayload: {
        x402Version: 1,
        scheme: 'exact',
        network: 'base',
        payload: { signature, authorization },
      },
      paymentRequirements: requirements,
    })
    expect(result).toEqual({
      ok: false,
      response: {
        isValid: false,
        invalidReason: reasons.invalidX402Version,
        payer: authorization.from,
      },
    })
  })
})
