import type { SettlementStatusResponse } from '@tollgate/core'
import { createHttpFacilitatorClient } from '@tollgate/core/facilitator-client'
import { eip3009Abi, findAuthorizationEvent } from '@tollgate/evm'
import type { Address, Chain, Client, Hex, Transport } from 'viem'
import { createPublicClient, http } from 'viem'
import { getBlock, readContract } from 'viem/actions'
import type { Receipt, Reconciliation } from '../receipts/receipt.js'
import type { ReconcileChain } from './defaultChains.js'
import { resolveReconcileChains } from './defaultChains.js'
import { askChainPermit2, permit2AuthorizationOf } from './inspectPermit2.js'

/**
 * Where the fate of a signed authorization is looked up. By default every network of the asset
 * registry is looked up through the public RPC of viem's chain definition; `chains` adds networks
 * (a devnet) and overrides those (your own RPC), and `reconcile: false` turns it all off.
 */
export type ReconcileParameters = {
  /**
   * Per network (CAIP-2, `eip155:8453`): a viem client, an RPC URL, or `false` to look nothing up
   * there. The token's `authorizationState(from, nonce)` and its `AuthorizationUsed` /
   * `AuthorizationCanceled` events are the only proof of what happened to an authorization.
   * @default the public RPC of each registry network, from viem's chain definitions
   */
  chains?: Readonly<Record<string, ReconcileChain | false>> | undefined
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
  /** The transfer's transaction, when it is known. */
  readonly transaction: string | undefined
}

/** The most pages of 1,000 blocks read back for an authorization's event, newest first. */
const maxPages = 100

type Wire = { from: Address; nonce: Hex; validAfter: string; validBefore: string }

/** The EIP-3009 authorization a signed payment (a receipt's `signed`) carries, if it carries one. */
export function authorizationOf(signed: Receipt['signed']): Wire | undefined {
  const authorization = (signed.payload as { authorization?: Partial<Wire> }).authorization
  if (
    typeof authorization?.from !== 'string' ||
    typeof authorization.nonce !== 'string' ||
    typeof authorization.validAfter !== 'string' ||
    typeof authorization.validBefore !== 'string'
  )
    return undefined
  return authorization as Wire
}

/** Looks up the fate of receipts' authorizations. */
export type Inspector = {
  /**
   * What is known of a receipt's authorization: the chain decides spent (a transfer proven by its
   * `AuthorizationUsed` event), cancelled or unspent; the facilitator adds the transaction, and
   * decides only where no chain is configured. `undefined` when nothing configured can tell.
   */
  inspect(receipt: Receipt): Promise<AuthorizationFinding | undefined>
  /** Whether a chain is configured for the network, so an authorization there can be proven unspent. */
  canProve(network: string): boolean
}

/** How the inspector reaches out: the fetch for the facilitator, and where failures go. */
export type InspectorContext = {
  send: (url: string, init: Record<string, unknown>) => Promise<unknown>
  /** A lookup that failed without deciding anything (the facilitator, beside a chain). */
  onError: (error: unknown, receipt: Receipt) => void
}

/**
 * Creates the lookup used to reconcile receipts (`false`: none). RPC URLs become viem clients
 * once, on first use; nothing is called before a receipt needs it.
 */
export function createInspector(
  parameters: ReconcileParameters | false,
  { send, onError }: InspectorContext,
): Inspector {
  const { facilitatorUrl, facilitatorHeaders = {} } = parameters || {}
  const chains = resolveReconcileChains(parameters === false ? false : parameters.chains)
  const clients = new Map<string, Client<Transport, Chain | undefined>>()
  const facilitator =
    parameters !== false && facilitatorUrl !== undefined
      ? createHttpFacilitatorClient({
          url: facilitatorUrl,
          headers: { ...facilitatorHeaders },
          fetch: send as unknown as typeof globalThis.fetch,
        })
      : undefined

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
    if (!facilitator) return undefined
    const found = (await facilitator.status({
      network: receipt.network,
      asset: receipt.asset,
      payer: authorization.from,
      nonce: authorization.nonce,
    })) as SettlementStatusResponse | undefined
    if (!found) return undefined
    return { state: found.state, transaction: found.transaction || undefined }
  }

  async function inspect(receipt: Receipt): Promise<AuthorizationFinding | undefined> {
    const authorization = authorizationOf(receipt.signed)
    if (!authorization) {
      const permit = permit2AuthorizationOf(receipt.signed)
      const client = permit && clientFor(receipt.network)
      return client && permit ? askChainPermit2(client, permit) : undefined
    }
    const client = clientFor(receipt.network)
    // The facilitator's word counts only where no chain can be asked; its failure is then the
    // lookup's failure. With a chain, its transaction is one more place to look for the proof.
    const fromFacilitator = client
      ? await askFacilitator(receipt, authorization).catch((error: unknown) => {
          onError(error, receipt)
          return undefined
        })
      : await askFacilitator(receipt, authorization)
    if (client) {
      const known = [receipt.transaction, fromFacilitator?.transaction]
      return askChain(client, receipt.asset as Address, authorization, known)
    }
    const transaction = fromFacilitator?.transaction
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

  return {
    inspect,
    canProve: (network) => chains[network] !== undefined,
  }
}

/**
 * What the chain proves about an authorization. Unused: unspent (expired or not, by the latest
 * block's time: the token checks `block.timestamp < validBefore`, and later blocks are never
 * older). Used: a transfer only when its `AuthorizationUsed` event is found (in a transaction
 * known for it, or in the token's logs), cancelled when its `AuthorizationCanceled` event is;
 * neither found is `undefined`, unknown.
 */
async function askChain(
  client: Client<Transport, Chain | undefined>,
  asset: Address,
  authorization: Wire,
  known: readonly (string | undefined)[],
): Promise<AuthorizationFinding | undefined> {
  const { from: authorizer, nonce } = authorization
  const block = await getBlock(client, { blockTag: 'latest' })
  const used = await readContract(client, {
    address: asset,
    abi: eip3009Abi,
    functionName: 'authorizationState',
    args: [authorizer, nonce],
    blockNumber: block.number,
  })
  if (!used) {
    const expired = block.timestamp >= BigInt(authorization.validBefore)
    return {
      by: 'chain',
      finding: expired ? 'unspent-expired' : 'unspent-valid',
      transaction: undefined,
    }
  }
  // A transaction the server or the facilitator named is read first: its receipt proves a transfer
  // without a log search. The search goes back to the authorization's `validAfter` at most.
  const event = await findAuthorizationEvent(client, {
    asset,
    authorizer,
    nonce,
    notBeforeSeconds: BigInt(authorization.validAfter),
    transactions: known.filter(
      (hash): hash is Hex => hash !== undefined && /^0x[0-9a-fA-F]{64}$/.test(hash),
    ),
    maxPages,
  })
  if (!event) return undefined
  return event.kind === 'used'
    ? { by: 'chain', finding: 'spent', transaction: event.transactionHash }
    : { by: 'chain', finding: 'cancelled', transaction: undefined }
}
