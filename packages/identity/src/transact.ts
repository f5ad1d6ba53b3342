import { AccountNotFoundError } from '@tollgate/evm'
import type { Account, Address, Chain, Client, Hash, TransactionReceipt, Transport } from 'viem'
import { parseAccount } from 'viem/accounts'
import { waitForTransactionReceipt } from 'viem/actions'
import { TransactionRevertedError } from './errors.js'

/** A client that sends transactions: a viem `WalletClient` (its transport also serves reads). */
export type WriteClient = Client<Transport, Chain | undefined, Account | undefined>

/** Who sends a transaction: the client's account unless another is given. */
export type AccountParameter = {
  /** @default the client's account */
  account?: Account | Address | undefined
}

/** The account to send with; throws `AccountNotFoundError` when there is none. */
export function requireAccount(
  client: WriteClient,
  account: Account | Address | undefined,
  action: string,
): Account {
  const chosen = account ?? client.account
  if (!chosen) throw new AccountNotFoundError({ action })
  return parseAccount(chosen)
}

/** Waits for the receipt and throws `TransactionRevertedError` unless it succeeded. */
export async function waitForSuccess(
  client: Client,
  hash: Hash,
  functionName: string,
): Promise<TransactionReceipt> {
  const receipt = await waitForTransactionReceipt(client, { hash })
  if (receipt.status !== 'success') throw new TransactionRevertedError({ functionName, hash })
  return receipt
}
