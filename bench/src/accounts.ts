import type { Devnet } from '@tollgate/contracts/devnet'
import { privateKeyToAccount as tollgateAccount } from '@tollgate/evm/accounts'
import type { Hex, LocalAccount, NonceManager } from 'viem'
import { privateKeyToAccount as viemAccount } from 'viem/accounts'
import type { AccountKind } from './options.js'

/** A key as an account of `kind` (see `--accounts`). */
export function accountOf(
  privateKey: Hex,
  kind: AccountKind,
  options?: { nonceManager?: NonceManager | undefined },
): LocalAccount {
  return kind === 'tollgate'
    ? tollgateAccount(privateKey, options)
    : viemAccount(privateKey, options)
}

/** An agent's account and address, as a cell hands them out. */
export type AgentAccount = { address: LocalAccount['address']; account: LocalAccount }

/** A devnet account as an agent of `kind`. */
export function agentAccountOf(
  account: Devnet['accounts'][number],
  kind: AccountKind,
): AgentAccount {
  return { address: account.address, account: accountOf(account.privateKey, kind) }
}
