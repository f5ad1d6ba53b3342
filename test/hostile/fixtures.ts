import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequired,
  PaymentRequirements,
  SettleResponse,
} from '@tollgate/core'
import {
  decodePaymentSignatureHeader,
  decodeXPaymentHeader,
  encodePaymentRequiredHeader,
  encodePaymentResponseHeader,
} from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator } from '@tollgate/express'
import { type DevnetHandle, listen } from '@tollgate/test'
import { type Address, erc20Abi, type LocalAccount } from 'viem'
import { toAccount } from 'viem/accounts'
import { afterEach } from 'vitest'

// Shared pieces of the hostile-server suite: an account that records what it signs, loopback
// servers that say whatever a test wants in their 402s, and, on a devnet, real settlement so the
// payments a test lets through move real (test) USDC.

/** The EIP-712 message of one `TransferWithAuthorization` the account signed. */
export type SignedMessage = {
  from: Address
  to: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: `0x${string}`
}

/** Wraps an account so every typed-data signature is recorded: `signed` is what left the agent. */
export function recordingAccount(inner: LocalAccount) {
  const signed: SignedMessage[] = []
  const account = toAccount({
    address: inner.address,
    signMessage: (parameters) => inner.signMessage(parameters),
    signTransaction: (transaction) => inner.signTransaction(transaction),
    signTypedData: async (typedData) => {
      signed.push((typedData as { message: SignedMessage }).message)
      return inner.signTypedData(typedData as Parameters<typeof inner.signTypedData>[0])
    },
  })
  return { account, signed }
}

/** One request a hostile server received. */
export type Exchange = {
  /** As the server saw it: `http://127.0.0.1:<port>/path?query`. */
  readonly url: string
  readonly method: string
  readonly headers: Headers
  /** The payment it carried, decoded (`undefined` for none, or one that does not decode). */
  readonly payment: PaymentPayload | PaymentPayloadV1 | undefined
}

export type Server = {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string
  readonly host: string
  readonly exchanges: Exchange[]
  /** The payments received, in order. */
  payments(): (PaymentPayload | PaymentPayloadV1)[]
}

export type Handler = (exchange: Exchange) => Response | Promise<Response>

/** Starts loopback servers for a test file and closes them after each test. */
export function useServers() {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()))
  })
  return async function serve(handler: Handler): Promise<Server> {
    const exchanges: Exchange[] = []
    const server = await listen({
      async fetch(request) {
        const signature = request.headers.get('payment-signature')
        const xPayment = request.headers.get('x-payment')
        let payment: PaymentPayload | PaymentPayloadV1 | undefined
        try {
          payment = signature
            ? decodePaymentSignatureHeader(signature)
            : xPayment
              ? decodeXPaymentHeader(xPayment)
              : undefined
        } catch {
          // Not one our agent made: the raw header is in `headers`.
          payment = undefined
        }
        const exchange = {
          url: request.url,
          method: request.method,
          headers: request.headers,
          payment,
        }
        exchanges.push(exchange)
        return handler(exchange)
      },
    })
    open.push(server)
    return {
      url: server.url,
      host: new URL(server.url).host,
      exchanges,
      payments: () => exchanges.flatMap((e) => (e.payment ? [e.payment] : [])),
    }
  }
}

/** A v2 402 naming `resource` (and extensions, such as an agent identity). */
export function paymentRequired(
  resource: string,
  accepts: readonly PaymentRequirements[],
  extensions?: PaymentRequired['extensions'],
): Response {
  const challenge: PaymentRequired = {
    x402Version: 2,
    error: 'Payment required',
    resource: { url: resource },
    accepts: accepts as [PaymentRequirements, ...PaymentRequirements[]],
    ...(extensions ? { extensions } : {}),
  }
  return new Response('{}', {
    status: 402,
    headers: { 'PAYMENT-REQUIRED': encodePaymentRequiredHeader(challenge) },
  })
}

/** A paid answer carrying `settlement` in `PAYMENT-RESPONSE`. */
export function withSettlement(settlement: SettleResponse, body = 'paid content', status = 200) {
  return new Response(body, {
    status,
    headers: { 'PAYMENT-RESPONSE': encodePaymentResponseHeader(settlement) },
  })
}

/** A devnet token as a registry entry, for `wrapFetch`'s `assets`. */
export function devnetAsset(devnet: DevnetHandle, token: 'usdc' | 'usdcAlt' = 'usdc'): Asset {
  return {
    chainId: devnet.chainId,
    network: devnet.network,
    address: devnet[token].address,
    symbol: 'USDC',
    decimals: 6,
    eip712: { name: devnet[token].name, version: devnet[token].version },
  }
}

/**
 * The cast of a devnet test: a payer (recording what it signs), two payees, and a facilitator that
 * settles from a fourth account. `pay(exchange)` settles a payment for real and answers with the
 * settlement, as an honest server would.
 */
export function createWorld(devnet: DevnetHandle) {
  const [payer, payee, otherPayee, operator] = devnet.accounts as [
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
    (typeof devnet.accounts)[number],
  ]
  const usdc = devnetAsset(devnet, 'usdc')
  const usdcAlt = devnetAsset(devnet, 'usdcAlt')
  const facilitator = createLocalFacilitator({
    publicClient: devnet.publicClient,
    walletClient: devnet.walletClient(operator.account),
    assets: [usdc, usdcAlt],
  })

  /** An `accepts` entry on the devnet: 0.01 USDC to `payee`, unless overridden. */
  function option(overrides: Partial<PaymentRequirements> = {}): PaymentRequirements {
    return {
      scheme: 'exact',
      network: devnet.network,
      amount: '10000',
      asset: usdc.address,
      payTo: payee.address,
      maxTimeoutSeconds: 60,
      extra: { name: usdc.eip712.name, version: usdc.eip712.version },
      ...overrides,
    }
  }

  /** Settles the payment on the devnet. */
  async function settle(payment: PaymentPayload | PaymentPayloadV1): Promise<SettleResponse> {
    if (payment.x402Version !== 2) throw new Error('the devnet world settles v2 payments')
    return facilitator.settle({
      paymentPayload: payment,
      paymentRequirements: payment.accepted,
    })
  }

  /** An honest server's answer to a payment: settle it, then deliver with the settlement header. */
  async function deliver(exchange: Exchange, body = 'paid content'): Promise<Response> {
    const settlement = await settle(exchange.payment!)
    return settlement.success
      ? withSettlement(settlement, body)
      : withSettlement(settlement, 'payment failed', 402)
  }

  function balanceOf(owner: Address, token: 'usdc' | 'usdcAlt' = 'usdc') {
    return devnet.publicClient.readContract({
      address: devnet[token].address,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [owner],
    })
  }

  return { payer, payee, otherPayee, operator, usdc, usdcAlt, option, settle, deliver, balanceOf }
}
