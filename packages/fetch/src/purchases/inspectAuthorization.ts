import { getEvmChainId } from '@tollgate/core'
import { readAuthorizationState } from '@tollgate/evm'
import type { Address, Chain, Client, Hex, Transport } from 'viem'
import { createPublicClient, http } from 'viem'
import { getBlock } from 'viem/actions'
import type { Receipt, Reconciliation } from '../receipts/receipt.js'

/** Where the fate of a signed authorization can be looked up. */
export type ReconcileOptions = {
  /**
   * Per network (CAIP-2, `eip155:8453`): a viem client or an RPC URL, to read the token's
   * `authorizationState(from, nonce)` and the latest block's time. The only proof that an
   * authorization is unspent.
   */
  chains?: Readonly<Record<string, Client<Transport, Chain | undefined> | string>> | undefined
  /**
   * A Tollgate facilitator's base URL: its status endpoint
   * (`GET /settlements/<chainId>/<asset>/<payer>/<nonce>`) tells a spent authorization's
   * transaction, and whether one is still pending.
   */
  facilitatorUrl?: string | undefined
  /** Headers for the facilitator (an API key: `{ authorization: 'Bearer ...' }`). */
  facilitatorHeaders?: Readonly<Record<string, string>> | undefined
}

/** What was found out about an authorization; `undefined` fields were not learnt. */
export type AuthorizationFinding = {
  readonly by: Reconciliation['by']
  readonly finding: Reconciliation['finding']
  /** The settlement transaction, when the facilitator knows it. */
  readonly transaction: string | undefined
}

type Wire = { from: Address; nonce: Hex; validBefore: string }

/** The EIP-3009 authorization a signed payment (a receipt's `signed`) carries, if it carries one. */
export function authorizationOf(signed: Receipt['signed']): Wire | undefined {
  const authorization = (signed.payload as { authorization?: Partial<Wire> }).authorization
  if (
    typeof authorization?.from !== 'string' ||
    typeof authorization.nonce !== 'string' ||
    typeof authorization.validBefore !== 'string'
  )
    return undefined
  return authorization as Wire
}

/** Looks up the fate of receipts' authorizations. */
export type Inspector = {
  /**
   * What is known of a receipt's authorization: the chain decides spent or unspent; the
   * facilitator adds the transaction, and says `pending` when no chain is configured.
   * `undefined` when nothing configured can tell.
   */
  inspect(receipt: Receipt): Promise<AuthorizationFinding | undefined>
  /** Whether a chain is configured for the network, so an authorization there can be proven unspent. */
  canProve(network: string): boolean
}

/**
 * Creates the lookup used to reconcile receipts. RPC URLs become viem clients once, on first use.
 */
export function createInspector(
  { chains = {}, facilitatorUrl, facilitatorHeaders = {} }: ReconcileOptions,
  send: (
    url: string,
    init: Record<string, unknown>,
  ) => Promise<{
    status: number
    json(): Promise<unknown>
  }>,
): Inspector {
  const clients = new Map<string, Client<Transport, Chain | undefined>>()

  function clientFor(network: string) {
    const cached = clients.get(network)
    if (cached) return cached
    const entry = chains[network]
    if (entry === undefined) return undefined
    const client =
      typeof entry === 'string' ? createPublicClient({ transport: http(entry) }) : entry
    clients.set(network, client)
    return client
  }

  async function askFacilitator(receipt: Receipt, authorization: Wire) {
    if (facilitatorUrl === undefined) return undefined
    const chainId = getEvmChainId(receipt.network)
    const path = [chainId, receipt.asset, authorization.from, authorization.nonce]
      .map((part) => String(part).toLowerCase())
      .join('/')
    const response = await send(`${facilitatorUrl.replace(/\/$/, '')}/settlements/${path}`, {
      method: 'GET',
      headers: { accept: 'application/json', ...facilitatorHeaders },
    })
    if (response.status === 404) return undefined
    if (response.status !== 200)
      throw new Error(`the facilitator status endpoint answered ${response.status}`)
    const body = (await response.json()) as { state?: unknown; transaction?: unknown }
    return {
      state: typeof body.state === 'string' ? body.state : undefined,
      transaction:
        typeof body.transaction === 'string' && body.transaction !== ''
          ? body.transaction
          : undefined,
    }
  }

  async function askChain(receipt: Receipt, authorization: Wire) {
    const client = clientFor(receipt.network)
    if (!client) return undefined
    const used = await readAuthorizationState(client, {
      asset: receipt.asset as Address,
      authorizer: authorization.from,
      nonce: authorization.nonce,
    })
    if (used) return 'spent' as const
    // The token checks `block.timestamp < validBefore`; later blocks are never older than this one.
    const block = await getBlock(client, { blockTag: 'latest' })
    return block.timestamp >= BigInt(authorization.validBefore)
      ? ('unspent-expired' as const)
      : ('unspent-valid' as const)
  }

  async function inspect(receipt: Receipt): Promise<AuthorizationFinding | undefined> {
    const authorization = authorizationOf(receipt.signed)
    if (!authorization) return undefined
    const [fromFacilitator, fromChain] = await Promise.all([
      askFacilitator(receipt, authorization).catch(() => undefined),
      askChain(receipt, authorization),
    ])
    const transaction = fromFacilitator?.transaction
    if (fromChain === 'spent') return { by: 'chain', finding: 'spent', transaction }
    if (fromChain !== undefined) return { by: 'chain', finding: fromChain, transaction }
    if (fromFacilitator?.state === 'confirmed')
      return { by: 'facilitator', finding: 'spent', transaction }
    if (
      fromFacilitator?.state === 'verified' ||
      fromFacilitator?.state === 'queued' ||
      fromFacilitator?.state === 'submitted'
    )
      return { by: 'facilitator', finding: 'pending', transaction }
    return undefined
  }

  function canProve(network: string) {
    return chains[network] !== undefined
  }

  return { inspect, canProve }
}
