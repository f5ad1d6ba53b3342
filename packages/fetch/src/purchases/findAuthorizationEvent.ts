import type { Address, Chain, Client, Hex, Transport } from 'viem'
import { pad, TransactionReceiptNotFoundError, toEventSelector } from 'viem'
import { getBlock, getTransactionReceipt } from 'viem/actions'

// A minimal paged search for an EIP-3009 nonce's fate, kept here until `@tollgate/evm` has the
// shared one: `authorizationState` is true for a used and a cancelled nonce alike, and only the
// token's event tells them apart.

/** `AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)`: the transfer happened. */
export const authorizationUsedTopic = toEventSelector(
  'event AuthorizationUsed(address indexed authorizer, bytes32 indexed nonce)',
)
/** `AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce)`: it never will. */
export const authorizationCanceledTopic = toEventSelector(
  'event AuthorizationCanceled(address indexed authorizer, bytes32 indexed nonce)',
)

/** What the chain shows of a used nonce: spent in a transfer, or cancelled. */
export type AuthorizationEvent = {
  readonly kind: 'used' | 'canceled'
  readonly transaction: Hex
  readonly blockNumber: bigint
}

export type FindAuthorizationEventParameters = {
  /** The EIP-3009 token. */
  readonly asset: Address
  readonly authorizer: Address
  readonly nonce: Hex
  /**
   * Unix seconds before which neither event can be (the authorization's `validAfter`: a transfer
   * needs a later block, and its nonce was unknown before it was signed).
   */
  readonly notBeforeSeconds: bigint
  /**
   * Blocks per `eth_getLogs` call: public RPCs refuse wider ranges (many at 1,000).
   * @default 1_000
   */
  readonly pageBlocks?: number | undefined
  /**
   * The most pages read, newest first, before giving up (the outcome is then unknown).
   * @default 100
   */
  readonly maxPages?: number | undefined
}

type RawLog = { topics: Hex[]; transactionHash: Hex; blockNumber: Hex }

/**
 * Looks for the event that used an authorization's nonce, newest block first, in pages of at most
 * `pageBlocks` blocks, back to the block at `notBeforeSeconds`. `undefined` when none was found in the
 * blocks read; a page the RPC refuses rejects (the outcome is unknown, never assumed).
 */
export async function findAuthorizationEvent(
  client: Client<Transport, Chain | undefined>,
  parameters: FindAuthorizationEventParameters,
): Promise<AuthorizationEvent | undefined> {
  const {
    asset,
    authorizer,
    nonce,
    notBeforeSeconds,
    pageBlocks = 1_000,
    maxPages = 100,
  } = parameters
  let to = (await getBlock(client, { blockTag: 'latest' })).number
  for (let page = 0; page < maxPages && to >= 0n; page++) {
    const from = to - BigInt(pageBlocks - 1) > 0n ? to - BigInt(pageBlocks - 1) : 0n
    const logs = (await client.request({
      method: 'eth_getLogs',
      params: [
        {
          address: asset,
          topics: [
            [authorizationUsedTopic, authorizationCanceledTopic],
            pad(authorizer.toLowerCase() as Hex),
            nonce.toLowerCase() as Hex,
          ],
          fromBlock: `0x${from.toString(16)}`,
          toBlock: `0x${to.toString(16)}`,
        },
      ],
    })) as RawLog[]
    const log = logs.at(-1)
    if (log) return toEvent(log)
    if (from === 0n) return undefined
    const first = await getBlock(client, { blockNumber: from })
    if (first.timestamp <= notBeforeSeconds) return undefined
    to = from - 1n
  }
  return undefined
}

/** The nonce's `AuthorizationUsed` log in a transaction, if the transaction carries one. */
export async function findUseInTransaction(
  client: Client<Transport, Chain | undefined>,
  {
    asset,
    authorizer,
    nonce,
    transaction,
  }: Omit<FindAuthorizationEventParameters, 'notBeforeSeconds'> & {
    transaction: Hex
  },
): Promise<AuthorizationEvent | undefined> {
  let receipt: Awaited<ReturnType<typeof getTransactionReceipt>>
  try {
    receipt = await getTransactionReceipt(client, { hash: transaction })
  } catch (error) {
    // Not mined (or not known to this RPC): it proves nothing. Any other failure is reported.
    if (error instanceof TransactionReceiptNotFoundError) return undefined
    throw error
  }
  if (receipt.status !== 'success') return undefined
  const used = receipt.logs.find(
    (log) =>
      log.address.toLowerCase() === asset.toLowerCase() &&
      log.topics[0] === authorizationUsedTopic &&
      log.topics[1]?.toLowerCase() === pad(authorizer.toLowerCase() as Hex) &&
      log.topics[2]?.toLowerCase() === nonce.toLowerCase(),
  )
  return used ? { kind: 'used', transaction, blockNumber: receipt.blockNumber } : undefined
}

function toEvent(log: RawLog): AuthorizationEvent {
  return {
    kind: log.topics[0] === authorizationUsedTopic ? 'used' : 'canceled',
    transaction: log.transactionHash,
    blockNumber: BigInt(log.blockNumber),
  }
}
