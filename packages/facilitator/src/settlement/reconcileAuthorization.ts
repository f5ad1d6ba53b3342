import { eip3009Abi, findAuthorizationEvent, readAuthorizationState } from '@tollgate/evm'
import {
  type Address,
  formatTransactionReceipt,
  type Hex,
  parseEventLogs,
  type RpcTransactionReceipt,
} from 'viem'
import type { ChainClient } from '../chain/createChainClient.js'

/**
 * What the chain proves about an authorization. `authorizationState` is true for a spent nonce
 * and a canceled one alike, so a used nonce without its `AuthorizationUsed` log (or a receipt of
 * ours that carries the transfer) is `unknown`, never paid.
 */
export type AuthorizationOnChain =
  | { status: 'unused' }
  /** Spent: the transfer is proven by this transaction. */
  | { status: 'used'; txHash: Hex; blockNumber: bigint; blockHash: Hex }
  /** Canceled by the payer with `cancelAuthorization`: never paid. */
  | { status: 'canceled'; txHash: Hex }
  /** The nonce is used or canceled, and nothing read so far says which. */
  | { status: 'unknown'; cause?: unknown }

export type ReconcileAuthorizationParameters = {
  asset: Address
  payer: Address
  nonce: Hex
  /** Our own transactions that may have carried the authorization: their receipts are proof too. */
  transactions?: readonly Hex[] | undefined
  /** First block searched for the authorization's log. @default 0n */
  fromBlock?: bigint | undefined
  /** Blocks per `eth_getLogs` request. @default 1_000n */
  pageSizeBlocks?: bigint | undefined
}

/** The block of one of `hashes` whose receipt logs the transfer with this authorization. */
async function findInReceipts(
  client: ChainClient,
  { asset, payer, nonce, transactions = [] }: ReconcileAuthorizationParameters,
): Promise<Extract<AuthorizationOnChain, { status: 'used' }> | undefined> {
  for (const hash of new Set(transactions.map((h) => h.toLowerCase() as Hex))) {
    const raw = (await client.request({
      method: 'eth_getTransactionReceipt',
      params: [hash],
    })) as RpcTransactionReceipt | null
    if (!raw) continue
    const receipt = formatTransactionReceipt(raw)
    if (receipt.status !== 'success') continue
    const logs = parseEventLogs({ abi: eip3009Abi, logs: receipt.logs, strict: false })
    const paid = logs.some(
      (log) =>
        log.eventName === 'AuthorizationUsed' &&
        log.address.toLowerCase() === asset.toLowerCase() &&
        log.args.authorizer?.toLowerCase() === payer.toLowerCase() &&
        log.args.nonce?.toLowerCase() === nonce.toLowerCase(),
    )
    if (paid)
      return {
        status: 'used',
        txHash: receipt.transactionHash,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
      }
  }
  return undefined
}

/**
 * Asks the chain whether an authorization was spent, before the settler sends it (again) or
 * records a result: the token's `authorizationState`; when it is used, the proof of a transfer (a
 * receipt of one of our transactions, or the token's `AuthorizationUsed` log, read in pages a
 * provider serves) or of a cancellation (`AuthorizationCanceled`). Without a proof the answer is
 * `unknown`: the caller keeps the row open and asks again later.
 */
export async function reconcileAuthorization(
  client: ChainClient,
  parameters: ReconcileAuthorizationParameters,
): Promise<AuthorizationOnChain> {
  const { asset, payer, nonce, fromBlock = 0n, pageSizeBlocks } = parameters
  const used = await readAuthorizationState(client, { asset, authorizer: payer, nonce })
  if (!used) return { status: 'unused' }
  try {
    const fromReceipt = await findInReceipts(client, parameters)
    if (fromReceipt) return fromReceipt
    const event = await findAuthorizationEvent(client, {
      asset,
      authorizer: payer,
      nonce,
      fromBlock,
      pageSizeBlocks,
    })
    if (!event) return { status: 'unknown' }
    if (event.kind === 'canceled') return { status: 'canceled', txHash: event.transactionHash }
    return {
      status: 'used',
      txHash: event.transactionHash,
      blockNumber: event.blockNumber,
      blockHash: event.blockHash,
    }
  } catch (cause) {
    // The node would not tell: spent or canceled stays open, and is asked again.
    return { status: 'unknown', cause }
  }
}
