import type { Devnet } from '@tollgate/contracts/devnet'
import { type Address, erc20Abi } from 'viem'

/** The token balance of `owner`. */
export function balanceOf(devnet: Devnet, token: Address, owner: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  })
}

/** The sum of the token balances of `owners`. */
export async function totalBalance(
  devnet: Devnet,
  token: Address,
  owners: readonly Address[],
): Promise<bigint> {
  const balances = await Promise.all(owners.map((owner) => balanceOf(devnet, token, owner)))
  return balances.reduce((sum, balance) => sum + balance, 0n)
}

export type WaitForBalanceReturnType = {
  balance: bigint
  /** How long it took to get there, in ms. */
  waitedMs: number
  reached: boolean
}

/**
 * Polls `owner`'s balance until it is `expected` (a queued settlement lands after the answer), or
 * returns early once it is above (paid twice) or after `timeoutMs` (lost).
 */
export async function waitForBalance(
  devnet: Devnet,
  token: Address,
  owner: Address,
  expected: bigint,
  { timeoutMs, intervalMs = 50 }: { timeoutMs: number; intervalMs?: number },
): Promise<WaitForBalanceReturnType> {
  const start = performance.now()
  for (;;) {
    const balance = await balanceOf(devnet, token, owner)
    const waitedMs = performance.now() - start
    if (balance >= expected) return { balance, waitedMs, reached: balance === expected }
    if (waitedMs > timeoutMs) return { balance, waitedMs, reached: false }
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
