import {
  decodePaymentSignatureHeader,
  decodeXPaymentHeader,
  type PaymentRequirements,
  paymentIdSchema,
} from '@tollgate/core'
import {
  fromWireAuthorization,
  getAuthorizationDomain,
  getTransferWithAuthorizationTypedData,
} from '@tollgate/evm'
import { recoverTypedDataAddress } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { parsePayment } from '../../../payment/parsePayment.js'
import { authorize, type Challenge, paymentHeader } from './payment.js'

// The page script's payment against `@tollgate/evm`'s: the same EIP-712 digest (so any wallet's
// `eth_signTypedData_v4` signature verifies where ours does), the same x402 payload shape.

// A well-known test key (anvil's second account): never holds real funds.
const account = privateKeyToAccount(
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
)
const requirement: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
  amount: '1250000',
  payTo: '0x1111111111111111111111111111111111111111',
  maxTimeoutSeconds: 300,
  extra: { name: 'USDC', version: '2' },
}
const resource = { url: 'http://127.0.0.1/report', description: 'report', mimeType: '' }
const nowMs = 1_750_000_000_500

/** What a wallet does with `eth_signTypedData_v4`'s JSON: uint256 strings read as numbers. */
async function walletSign(json: string): Promise<`0x${string}`> {
  const typedData = JSON.parse(json)
  for (const field of ['value', 'validAfter', 'validBefore'])
    typedData.message[field] = BigInt(typedData.message[field])
  return account.signTypedData(typedData)
}

async function signedHeader(challenge: Challenge, from = account.address.toLowerCase()) {
  const signed = challenge.accepts[0]!
  const { authorization, typedData } = authorize(signed, { from, chainId: 84532, nowMs })
  const signature = await walletSign(JSON.stringify(typedData))
  return { authorization, header: paymentHeader(challenge, signed, { signature, authorization }) }
}

describe('the page script builds the payment @tollgate/evm builds', () => {
  test("v2: PAYMENT-SIGNATURE, `accepted` verbatim, signed under evm's typed data", async () => {
    const challenge: Challenge = { x402Version: 2, resource, accepts: [requirement] }
    const { authorization, header } = await signedHeader(challenge)
    expect(authorization).toMatchObject({
      value: '1250000',
      to: requirement.payTo,
      validAfter: String(1_750_000_000 - 600),
      validBefore: String(1_750_000_000 + 300),
    })
    expect(authorization.nonce).toMatch(/^0x[0-9a-f]{64}$/)
    const [name, value] = header
    expect(name).toBe('PAYMENT-SIGNATURE')
    const payload = decodePaymentSignatureHeader(value)
    expect(payload).toEqual({
      x402Version: 2,
      resource,
      accepted: requirement,
      payload: { signature: expect.any(String), authorization },
    })
    expect(parsePayment(payload)).toMatchObject({ x402Version: 2 })
    const typedData = getTransferWithAuthorizationTypedData({
      authorization: fromWireAuthorization(authorization),
      domain: getAuthorizationDomain({ requirements: requirement }),
    })
    const signature = payload.payload.signature as `0x${string}`
    expect(await recoverTypedDataAddress({ ...typedData, signature })).toBe(account.address)
  })

  test('v2: a declared payment-identifier gets a fresh valid id, other extensions are copied', async () => {
    const extensions = {
      'payment-identifier': { info: { required: true }, schema: { type: 'object' } },
      erc8004: { info: { agentId: '7' } },
    }
    const challenge: Challenge = { x402Version: 2, resource, accepts: [requirement], extensions }
    const first = decodePaymentSignatureHeader((await signedHeader(challenge)).header[1])
    const second = decodePaymentSignatureHeader((await signedHeader(challenge)).header[1])
    const idOf = (payload: typeof first) =>
      (payload.extensions!['payment-identifier'] as { info: { id: string } }).info.id
    expect(paymentIdSchema.safeParse(idOf(first)).success).toBe(true)
    expect(idOf(first)).not.toBe(idOf(second))
    expect(first.extensions).toEqual({
      'payment-identifier': {
        info: { required: true, id: idOf(first) },
        schema: { type: 'object' },
      },
      erc8004: extensions.erc8004,
    })
  })

  test('v1: X-PAYMENT with the v1 scheme and network, the amount from maxAmountRequired', async () => {
    const { amount: _, ...rest } = requirement
    const v1 = { ...rest, network: 'base-sepolia', maxAmountRequired: '1250000', resource: '' }
    const challenge: Challenge = { x402Version: 1, accepts: [v1] }
    const { authorization, header } = await signedHeader(challenge)
    expect(header[0]).toBe('X-PAYMENT')
    const payload = decodeXPaymentHeader(header[1])
    expect(payload).toEqual({
      x402Version: 1,
      scheme: 'exact',
      network: 'base-sepolia',
      payload: { signature: expect.any(String), authorization },
    })
    expect(parsePayment(payload)).toMatchObject({ x402Version: 1 })
  })

  test('a requirement without the EIP-712 domain, or with an unreadable amount, is refused before signing', () => {
    const from = account.address
    expect(() =>
      authorize({ ...requirement, extra: {} }, { from, chainId: 84532, nowMs }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[PageError: The server did not name the token's signing domain (extra.name and extra.version): this page cannot pay it.]`,
    )
    expect(() =>
      authorize({ ...requirement, amount: '1.5' }, { from, chainId: 84532, nowMs }),
    ).toThrowErrorMatchingInlineSnapshot(
      `[PageError: The server asked for an amount this page cannot read.]`,
    )
  })
})
