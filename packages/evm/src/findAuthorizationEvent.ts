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
   * Blocks per `eth_getLogs` request. A node that refuses a range as too large (most hosted RPCs
   * cap it, often at 1,000 to 10,000 blocks) gets the range halved, down to one block.
   * @default 1_000n
   */
  pageSizeBlocks?: bigint | undefined
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

  constructor({
    asset,
    authorizer,
    nonce,
    fromBlock,
    toBlock,
    cause,
  }: {
    asset: Address
    authorizer: Address
    nonce: Hex
    fromBlock: bigint
    toBlock: bigint
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
      ],
    })
    this.asset = asset
    this.authorizer = authorizer
    this.nonce = nonce
    this.fromBlock = fromBlock
    this.toBlock = toBlock
  }
}

type RpcLog = {
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

/**
 * Finds the event that ended an EIP-3009 authorization: `AuthorizationUsed` (the transfer was made)
 * or `AuthorizationCanceled` (the payer canceled it). `authorizationState` is true after either,
 * so only this event tells a payment from a cancellation. Reads `eth_getLogs` newest block first,
 * in pages a hosted node accepts, and stops at the event.
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
  const { asset, authorizer, nonce, fromBlock = 0n, pageSizeBlocks = 1_000n } = parameters
  const fail = (from: bigint, to: bigint, cause: unknown) =>
    new AuthorizationEventSearchError({
      asset,
      authorizer,
      nonce,
      fromBlock: from,
      toBlock: to,
      cause,
    })
  let high: bigint
  try {
    high = parameters.toBlock ?? BigInt(await client.request({ method: 'eth_blockNumber' }))
  } catch (cause) {
    throw fail(fromBlock, parameters.toBlock ?? fromBlock, cause)
  }
  const topics = [
    [usedTopic, canceledTopic],
    `0x${authorizer.slice(2).toLowerCase().padStart(64, '0')}` as Hex,
    nonce.toLowerCase() as Hex,
  ]
  let size = pageSizeBlocks < 1n ? 1n : pageSizeBlocks
  while (high >= fromBlock) {
    const low = high - size + 1n > fromBlock ? high - size + 1n : fromBlock
    let logs: RpcLog[]
    try {
      logs = (await client.request({
        method: 'eth_getLogs',
        params: [
          { address: asset, topics, fromBlock: numberToHex(low), toBlock: numberToHex(high) },
        ],
      } as never)) as RpcLog[]
    } catch (cause) {
      if (size > 1n && isRangeRefusal(cause)) {
        size /= 2n
        continue
      }
      throw fail(low, high, cause)
    }
    const event = toEvent(logs)
    if (event) return event
    high = low - 1n
  }
  return undefined
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
