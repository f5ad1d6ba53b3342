import type { Devnet } from '@tollgate/contracts/devnet'
import { privateKeyToAccount } from '@tollgate/evm/accounts'
import type { LocalAccount } from 'viem'
import type { AgentAccountKind } from './options.js'

/** A devnet account as an agent signs with it: see `--agent-account`. */
export function agentAccountOf(
  account: Devnet['accounts'][number],
  kind: AgentAccountKind,
): LocalAccount {
  return kind === 'tollgate' ? privateKeyToAccount(account.privateKey) : account.account
}

/** An agent's account and address, as a cell hands them out. */
export type AgentAccount = { address: LocalAccount['address']; account: LocalAccount }
