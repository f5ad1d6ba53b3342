import type { Asset } from '@tollgate/evm'
import { createPolicy, getReceipt, type Receipt, wrapFetch } from '@tollgate/fetch'
import type { Account } from 'viem'

export type RunAgentParameters = {
  url: string
  account: Account
  asset: Asset
  prompts: readonly string[]
  /** The agent's budget, whole units of `asset` (`'0.01'`). */
  budget: string
}

/**
 * An agent with a budget asking the metered API to generate, one prompt at a time. Each call holds
 * the route's maximum against the budget until it settles, then keeps only what was charged: a
 * call whose maximum no longer fits is refused before anything is signed.
 */
export async function runAgent({ url, account, asset, prompts, budget }: RunAgentParameters) {
  // #region agent
  const policy = createPolicy({ budgets: [{ limit: budget, windowMs: 86_400_000 }] })
  const pay = wrapFetch({ account, assets: [asset], policy })
  const results: {
    prompt: string
    tokens?: string[]
    receipt?: Receipt | undefined
    refused?: string
  }[] = []
  for (const prompt of prompts) {
    try {
      const response = await pay(`${url}/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt }),
      })
      const { tokens } = (await response.json()) as { tokens: string[] }
      results.push({ prompt, tokens, receipt: getReceipt(response) })
    } catch (error) {
      results.push({ prompt, refused: (error as Error).name })
    }
  }
  // #endregion agent
  return { results, usage: policy.usage() }
}
