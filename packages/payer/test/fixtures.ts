import type { PaymentRequired, PaymentRequirements } from '@tollgate/core'
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts'
import type { Receipt } from '../src/receipts/receipt.js'

// Shared by the payer's unit tests: a Base Sepolia USDC option (in `@tollgate/evm`'s registry,
// so it signs offline), receipts built by hand, and an account that counts its signatures.

export const payTo = '0x1111111111111111111111111111111111111111'
export const usdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
export const transaction = `0x${'ab'.repeat(32)}`

export const requirement: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:84532',
  amount: '10000',
  asset: usdc,
  payTo,
  maxTimeoutSeconds: 60,
  extra: { name: 'USDC', version: '2' },
}

/** Atomic units of Base Sepolia USDC: the only form a bigint limit takes. */
export const usdcUnits = (amount: bigint) => ({
  amount,
  asset: { network: 'eip155:84532', address: usdc },
})

/** A v2 challenge for `url` offering `accepts`. */
export function paymentRequired(
  url: string,
  accepts: PaymentRequirements[] = [requirement],
): PaymentRequired {
  return {
    x402Version: 2,
    resource: { url },
    accepts: accepts as [PaymentRequirements, ...PaymentRequirements[]],
  }
}

/** A settlement that says the transfer happened. */
export function success(payer: string) {
  return {
    present: true,
    response: { success: true, transaction, network: 'eip155:84532', payer },
  } as const
}

/** A viem account that counts the payments it signs. */
export function signer() {
  const inner = privateKeyToAccount(generatePrivateKey())
  const counter = { signatures: 0 }
  const account = toAccount({
    address: inner.address,
    signMessage: (parameters) => inner.signMessage(parameters),
    signTransaction: (transaction) => inner.signTransaction(transaction),
    signTypedData: async (typedData) => {
      counter.signatures++
      return inner.signTypedData(typedData as Parameters<typeof inner.signTypedData>[0])
    },
  })
  return { account, signatures: () => counter.signatures }
}

/** A receipt of a payment of `amount` atomic USDC to `payTo` on `url`'s host. */
export function receiptOf(overrides: Partial<Receipt> = {}): Receipt {
  const url = overrides.url ?? 'https://api.example.com/report'
  const amount = overrides.amount ?? 10_000n
  const accepted = { ...requirement, amount: amount.toString() }
  return {
    id: crypto.randomUUID(),
    url,
    method: 'GET',
    x402Version: 2,
    requested: paymentRequired(url, [accepted]),
    accepted,
    signed: {
      x402Version: 2,
      accepted,
      payload: {
        signature: `0x${'ab'.repeat(65)}`,
        authorization: {
          from: '0x2222222222222222222222222222222222222222',
          to: payTo,
          value: amount.toString(),
          validAfter: '1700000000',
          validBefore: '1700000060',
          nonce: `0x${'cd'.repeat(32)}`,
        },
      },
    },
    settlement: undefined,
    transaction: undefined,
    status: 'settled',
    disputed: undefined,
    amount,
    asset: usdc,
    network: 'eip155:84532',
    payTo,
    payer: '0x2222222222222222222222222222222222222222',
    preemptive: false,
    responseStatus: 200,
    at: 1_700_000_000_000,
    ...overrides,
  }
}
