import { BaseError } from '@tollgate/core'
import {
  type Address,
  type Chain,
  type Client,
  encodeEventTopics,
  type Hex,
  numberToHex,
  type Transport,
} from 'viem'
import { eip3009Abi } from './abis.js'

const usedTopic = encodeEventTopics({
  abi: eip3009Abi,
  eventName: 'AuthorizationUsed',
})[0]
const canceledTopic = encodeEventTopics({
  abi: eip3009Abi,
  eventName: 'AuthorizationCanceled',
})[0]

/** The on-chain end of an authorization: a transfer made with it, or its cancellation by the payer. */
export type AuthorizationEvent = {
  /** `used`: `AuthorizationUsed` (the transfer happened); `canceled`: `AuthorizationCanceled`. */
  kind: 'used' | 'canceled'
  transactionHash: Hex
  blockNumber: bigint
  blockHash: Hex
}

/** The authorization to look up, and the blocks to search. */
export type FindAuthorizationEventParameters = {
  /** The EIP-3009 token. */
  asset: Address
  authorizer: Address
  nonce: Hex
  /** Oldest block searched. @default 0n */
  fromBlock?: bigint | undefined
  /** Newest block searched. @default the latest block */
  toBlock?: bigint | undefined
  /**
   * A lower bound by time, in unix seconds: the search stops below the first block at or before
   * it (an authorization's `validAfter`: its transfer needs a later block, and its nonce did not
   * exist before it was signed). Costs one block header per page read.
   * @default no bound by time
   */
  notBeforeSeconds?: bigint | undefined
  /**
   * Transactions that may carry the event (a settlement transaction a server or facilitator
   * named): their receipts are read first, and a successful one that logs the event ends the
   * search without reading any logs.
   * @default []
   */
  transactions?: readonly Hex[] | undefined
  /**
   * Blocks per `eth_getLogs` request. A node that refuses a range as too large (most hosted RPCs
   * cap it, often at 1,000 to 10,000 blocks) gets the range halved, down to one block, at once:
   * a refused range is not retried by the transport.
   * @default 1_000n
   */
  pageSizeBlocks?: bigint | undefined
  /**
   * The most pages read, newest first; past them the search ends with `undefined` (not found in
   * the blocks read, which proves nothing).
   * @default no limit
   */
  maxPages?: number | undefined
}

/** The event, or `undefined` when the searched blocks hold none. */
export type FindAuthorizationEventReturnType = AuthorizationEvent | undefined

/** What {@link findAuthorizationEvent} throws. */
export type FindAuthorizationEventErrorType = AuthorizationEventSearchError

/** The type of {@link AuthorizationEventSearchError}. */
export type AuthorizationEventSearchErrorType = AuthorizationEventSearchError & {
  name: 'AuthorizationEventSearchError'
}

/** The node would not serve the logs needed to tell a used authorization from a canceled one. */
export class AuthorizationEventSearchError extends BaseError {
  override name = 'AuthorizationEventSearchError' as const
  asset: Address
  authorizer: Address
  nonce: Hex
  /** The block range whose logs could not be read. */
  fromBlock: bigint
  toBlock: bigint
  /** The transaction whose receipt could not be read, when that was what failed. */
  transaction: Hex | undefined

  constructor({
    asset,
    authorizer,
    nonce,
    fromBlock,
    toBlock,
    transaction,
    cause,
  }: {
    asset: Address
    authorizer: Address
    nonce: Hex
    fromBlock: bigint
    toBlock: bigint
    transaction?: Hex | undefined
    cause: unknown
  }) {
    super("The node did not serve the token's authorization logs.", {
      code: 'TOLLGATE_EVM_AUTHORIZATION_EVENT_SEARCH',
      cause,
      metaMessages: [
        `asset: ${asset}`,
        `authorizer: ${authorizer}`,
        `nonce: ${nonce}`,
        `blocks: ${fromBlock}..${toBlock}`,
        ...(transaction ? [`transaction: ${transaction}`] : []),
      ],
    })
    this.asset = asset
    this.authorizer = authorizer
    this.nonce = nonce
    this.fromBlock = fromBlock
    this.toBlock = toBlock
    this.transaction = transaction
  }
}

type RpcLog = {
  address?: Address | undefined
  topics: Hex[]
  transactionHash: Hex | null
  blockNumber: Hex | null
  blockHash: Hex | null
  removed?: boolean | undefined
}

// What providers answer to a range they will not serve: Infura "query returned more than 10000
// results", Alchemy "Log response size exceeded" / "block range", QuickNode "eth_getLogs is
// limited to a 10,000 range", geth-style "block range too large", EIP-1474 -32005 "limit exceeded".
const rangeRefusal =
  /range|too (large|many|big|wide)|more than|exceed|limit(ed)? (to|of)|response size|max(imum)? \d/i

/** Whether a failed `eth_getLogs` is a node refusing the range (worth a smaller one), not an outage. */
function isRangeRefusal(error: unknown): boolean {
  let current: unknown = error
  for (let depth = 0; depth < 10 && current && typeof current === 'object'; depth++) {
    const { code, details, message } = current as {
      code?: unknown
      details?: unknown
      message?: unknown
    }
    if (code === -32005) return true
    for (const text of [details, message])
      if (typeof text === 'string' && rangeRefusal.test(text)) return true
    current = (current as { cause?: unknown }).cause
  }
  return false
}

/** One search: what it looks for, and how it reports a failure. */
type Search = {
  readonly client: Client<Transport, Chain | undefined>
  readonly parameters: FindAuthorizationEventParameters
  readonly topics: readonly (Hex | Hex[])[]
  readonly fail: (
    range: { from: bigint; to: bigint; transaction?: Hex | undefined },
    cause: unknown,
  ) => AuthorizationEventSearchError
}

/**
 * Finds the event that ended an EIP-3009 authorization: `AuthorizationUsed` (the transfer was made)
 * or `AuthorizationCanceled` (the payer canceled it). `authorizationState` is true after either,
 * so only this event tells a payment from a cancellation. Reads the receipts of the `transactions`
 * named first, then `eth_getLogs` newest block first, in pages a hosted node accepts, down to
 * `fromBlock` (or the block at `notBeforeSeconds`), and stops at the event.
 *
 * @throws AuthorizationEventSearchError when the node fails or refuses even one-block pages.
 *
 * @example
 * import { findAuthorizationEvent } from '@tollgate/evm'
 *
 * const event = await findAuthorizationEvent(publicClient, { asset, authorizer, nonce, fromBlock })
 * if (event?.kind === 'canceled') console.log('never paid')
 */
export async function findAuthorizationEvent(
  client: Client<Transport, Chain | undefined>,
  parameters: FindAuthorizationEventParameters,
): Promise<FindAuthorizationEventReturnType> {
  const { asset, authorizer, nonce, fromBlock = 0n } = parameters
  const search: Search = {
    client,
    parameters,
    topics: [
      [usedTopic, canceledTopic],
      `0x${authorizer.slice(2).toLowerCase().padStart(64, '0')}` as Hex,
      nonce.toLowerCase() as Hex,
    ],
    fail: ({ from, to, transaction }, cause) =>
      new AuthorizationEventSearchError({
        asset,
        authorizer,
        nonce,
        fromBlock: from,
        toBlock: to,
        transaction,
        cause,
      }),
  }
  let high: bigint
  try {
    high = parameters.toBlock ?? BigInt(await client.request({ method: 'eth_blockNumber' }))
  } catch (cause) {
    throw search.fail({ from: fromBlock, to: parameters.toBlock ?? fromBlock }, cause)
  }
  for (const hash of new Set(parameters.transactions?.map((h) => h.toLowerCase() as Hex))) {
    const event = await findInTransaction(search, hash, { from: fromBlock, to: high })
    if (event) return event
  }
  return searchLogs(search, high)
}

/** The event in one transaction's logs, if the transaction succeeded and carries it. */
async function findInTransaction(
  { client, parameters, topics, fail }: Search,
  hash: Hex,
  range: { from: bigint; to: bigint },
): Promise<AuthorizationEvent | undefined> {
  let receipt: { status: Hex; logs: RpcLog[] } | null
  try {
    receipt = (await client.request({
      method: 'eth_getTransactionReceipt',
      params: [hash],
    } as never)) as typeof receipt
  } catch (cause) {
    throw fail({ ...range, transaction: hash }, cause)
  }
  // Unknown to this node, or not mined: it proves nothing. Reverted: it moved nothing.
  if (receipt?.status !== '0x1') return undefined
  const [kinds, authorizer, nonce] = topics as [Hex[], Hex, Hex]
  const logs = receipt.logs.filter(
    (log) =>
      log.address?.toLowerCase() === parameters.asset.toLowerCase() &&
      kinds.includes(log.topics[0]?.toLowerCase() as Hex) &&
      log.topics[1]?.toLowerCase() === authorizer &&
      log.topics[2]?.toLowerCase() === nonce,
  )
  return toEvent(logs)
}

/** `eth_getLogs` from `high` down, a page at a time, halving a page the node refuses as too wide. */
async function searchLogs(search: Search, high: bigint): Promise<AuthorizationEvent | undefined> {
  const { parameters } = search
  const {
    fromBlock = 0n,
    pageSizeBlocks = 1_000n,
    maxPages = Number.POSITIVE_INFINITY,
  } = parameters
  let size = pageSizeBlocks < 1n ? 1n : pageSizeBlocks
  for (let pages = 0; high >= fromBlock && pages < maxPages; ) {
    const low = high - size + 1n > fromBlock ? high - size + 1n : fromBlock
    const logs = await readPage(search, low, high)
    if (logs === 'refused') {
      size /= 2n
      continue
    }
    pages++
    const event = toEvent(logs)
    if (event) return event
    if (await startsBefore(search, low, high)) return undefined
    high = low - 1n
  }
  return undefined
}

/**
 * One page of logs, or `'refused'` when the node refuses the range as too wide and a smaller one
 * is possible. The first try is not retried by the transport: viem's http transport retries a
 * `-32005` three times, about a second lost per refused range. A refused one-block range is
 * reported at once; any other failure is tried once more with the transport's retries.
 */
async function readPage(
  { client, parameters, topics, fail }: Search,
  low: bigint,
  high: bigint,
): Promise<RpcLog[] | 'refused'> {
  const request = {
    method: 'eth_getLogs',
    params: [
      {
        address: parameters.asset,
        topics,
        fromBlock: numberToHex(low),
        toBlock: numberToHex(high),
      },
    ],
  } as never
  try {
    return (await client.request(request, { retryCount: 0 })) as RpcLog[]
  } catch (cause) {
    if (isRangeRefusal(cause)) {
      if (high > low) return 'refused'
      throw fail({ from: low, to: high }, cause)
    }
    try {
      return (await client.request(request)) as RpcLog[]
    } catch (cause) {
      throw fail({ from: low, to: high }, cause)
    }
  }
}

/** Whether the page starting at `low` reaches back to `notBeforeSeconds`: nothing older can hold the event. */
async function startsBefore({ client, parameters, fail }: Search, low: bigint, high: bigint) {
  const { notBeforeSeconds } = parameters
  if (notBeforeSeconds === undefined) return false
  try {
    const block = (await client.request({
      method: 'eth_getBlockByNumber',
      params: [numberToHex(low), false],
    } as never)) as { timestamp: Hex } | null
    return block !== null && BigInt(block.timestamp) <= notBeforeSeconds
  } catch (cause) {
    throw fail({ from: low, to: high }, cause)
  }
}

function toEvent(logs: readonly RpcLog[]): AuthorizationEvent | undefined {
  const log = [...logs]
    .reverse()
    .find((l) => !l.removed && l.blockNumber !== null && l.transactionHash && l.blockHash)
  if (!log) return undefined
  return {
    kind: log.topics[0]?.toLowerCase() === canceledTopic ? 'canceled' : 'used',
    transactionHash: log.transactionHash!,
    blockNumber: BigInt(log.blockNumber!),
    blockHash: log.blockHash!,
  }
}
