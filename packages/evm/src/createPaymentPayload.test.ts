import type { PaymentRequired, PaymentRequiredV1, PaymentRequirementsV1 } from '@tollgate/core'
import { exactEvmPayloadSchema, paymentPayloadSchema, paymentPayloadV1Schema } from '@tollgate/core'
import type { Hex } from 'viem'
import { recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import {
  fromWireAuthorization,
  getAuthorizationDomain,
  getTransferWithAuthorizationTypedData,
} from './authorization.js'
import { createPaymentPayload } from './createPaymentPayload.js'
import { NoExactEvmRequirementsError } from './errors.js'

const account = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const payTo = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC'
const now = 1_700_000_000

const paymentRequired: PaymentRequired = {
  x402Version: 2,
  error: 'Payment required',
  resource: {
    url: 'https://api.example.com/report',
    description: 'A report',
    mimeType: 'application/json',
  },
  accepts: [
    {
      scheme: 'exact',
      network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1',
      amount: '10000',
      asset: 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v',
      payTo: 'somewhere',
      maxTimeoutSeconds: 60,
    },
    {
      scheme: 'exact',
      network: 'eip155:84532',
      amount: '10000',
      asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
      payTo,
      maxTimeoutSeconds: 120,
      extra: { name: 'USDC', version: '2', assetTransferMethod: 'eip3009' },
      vendorField: { kept: true },
    },
  ],
  extensions: { 'payment-identifier': { info: { required: false }, schema: {} } },
}

async function recoverPayer(
  payload: { signature: string; authorization: unknown },
  requirements: {
    network: string
    asset: string
    extra?: Record<string, unknown> | null | undefined
  },
) {
  const parsed = exactEvmPayloadSchema.parse(payload)
  return recoverTypedDataAddress({
    ...getTransferWithAuthorizationTypedData({
      authorization: fromWireAuthorization(parsed.authorization),
      domain: getAuthorizationDomain({ requirements }),
    }),
    signature: parsed.signature as Hex,
  })
}

describe('createPaymentPayload (v2)', () => {
  test('accepted is the chosen requirement verbatim; resource and extensions are copied', async () => {
    const payload = await createPaymentPayload(account, { paymentRequired, now: () => now * 1000 })
    const chosen = paymentRequired.accepts[1]!
    expect(paymentPayloadSchema.parse(payload)).toStrictEqual(payload)
    expect(payload.x402Version).toBe(2)
    expect(payload.accepted).toStrictEqual(chosen)
    expect(payload.resource).toStrictEqual(paymentRequired.resource)
    expect(payload.extensions).toStrictEqual(paymentRequired.extensions)
    expect(Object.keys(payload).sort()).toEqual([
      'accepted',
      'extensions',
      'payload',
      'resource',
      'x402Version',
    ])
  })

  test('the payload is a signed authorization of exactly the requirement', async () => {
    const payload = await createPaymentPayload(account, { paymentRequired, now: () => now * 1000 })
    const inner = exactEvmPayloadSchema.parse(payload.payload)
    expect(inner.authorization).toMatchObject({
      from: account.address,
      to: payTo,
      value: '10000',
      validAfter: String(now - 600),
      validBefore: String(now + 120),
    })
    expect(inner.authorization.nonce).toMatch(/^0x[0-9a-f]{64}$/)
    expect(inner.signature).toMatch(/^0x[0-9a-f]{130}$/)
    expect(await recoverPayer(inner, paymentRequired.accepts[1]!)).toBe(account.address)
  })

  test('an explicit requirement, resource and extra extensions', async () => {
    const requirements = paymentRequired.accepts[1]!
    const payload = await createPaymentPayload(account, {
      paymentRequired,
      requirements,
      resource: { url: 'https://other.example/x' },
      extensions: { mine: { info: {}, schema: {} } },
    })
    expect(payload.accepted).toBe(requirements)
    expect(payload.resource).toEqual({ url: 'https://other.example/x' })
    expect(Object.keys(payload.extensions ?? {})).toEqual(['payment-identifier', 'mine'])
  })

  test('requirements alone: no resource, no extensions', async () => {
    const payload = await createPaymentPayload(account, {
      requirements: paymentRequired.accepts[1]!,
    })
    expect(Object.keys(payload).sort()).toEqual(['accepted', 'payload', 'x402Version'])
  })

  test('a challenge without an exact EVM requirement throws', async () => {
    await expect(
      createPaymentPayload(account, {
        paymentRequired: { ...paymentRequired, accepts: [paymentRequired.accepts[0]!] },
      }),
    ).rejects.toThrow(NoExactEvmRequirementsError)
  })
})

describe('createPaymentPayload (v1)', () => {
  const requirementsV1: PaymentRequirementsV1 = {
    scheme: 'exact',
    network: 'base-sepolia',
    maxAmountRequired: '2500',
    resource: 'https://api.example.com/report',
    description: 'A report',
    mimeType: 'application/json',
    payTo,
    maxTimeoutSeconds: 60,
    asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    extra: { name: 'USDC', version: '2' },
  }
  const paymentRequiredV1: PaymentRequiredV1 = {
    x402Version: 1,
    error: 'X-PAYMENT header is required',
    accepts: [requirementsV1],
  }

  test('{ x402Version: 1, scheme, network, payload } with value = maxAmountRequired', async () => {
    const payload = await createPaymentPayload(account, {
      paymentRequired: paymentRequiredV1,
      now: () => now * 1000,
    })
    expect(paymentPayloadV1Schema.parse(payload)).toStrictEqual(payload)
    expect(Object.keys(payload).sort()).toEqual(['network', 'payload', 'scheme', 'x402Version'])
    expect(payload).toMatchObject({ x402Version: 1, scheme: 'exact', network: 'base-sepolia' })
    const inner = exactEvmPayloadSchema.parse(payload.payload)
    expect(inner.authorization).toMatchObject({ value: '2500', validBefore: String(now + 60) })
    expect(await recoverPayer(inner, requirementsV1)).toBe(account.address)
  })

  test('a v1 requirement alone is recognised by maxAmountRequired', async () => {
    const payload = await createPaymentPayload(account, { requirements: requirementsV1 })
    expect(payload.x402Version).toBe(1)
  })

  test('the EIP-712 domain comes from the registry when extra lacks it', async () => {
    const bare = { ...requirementsV1, extra: undefined }
    const payload = await createPaymentPayload(account, { requirements: bare })
    expect(await recoverPayer(exactEvmPayloadSchema.parse(payload.payload), requirementsV1)).toBe(
      account.address,
    )
  })
})
