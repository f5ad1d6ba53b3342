import { AsyncLocalStorage } from 'node:async_hooks'
import { type Asset, readAsset } from '@tollgate/evm'
import {
  createMemoryReceiptLog,
  createPolicy,
  type Policy,
  type WrapFetchReturnType,
  wrapFetch,
} from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import type { Address } from 'viem'
import { AssetUnreadableError, ConfigError } from '../errors.js'
import type { CliIo } from '../io.js'
import type { Output } from '../output.js'
import { readAccount } from '../readAccount.js'
import { type Connection, connect } from '../rpc.js'
import type { McpConfig } from './mcpConfig.js'

/** What the tools of `tollgate mcp` share: one paying fetch, its policy, the chain, the redactor. */
export type Agent = {
  address: Address
  pay: WrapFetchReturnType<typeof fetch>
  /** The policy every payment passes (its `usage()` reads the budget). */
  policy: Policy
  /** A call's own `maxPrice` while it runs, read by the policy's `expectPrice`. */
  maxPrice: AsyncLocalStorage<string | undefined>
  assets: readonly Asset[]
  connection: Connection | undefined
}

/**
 * The agent behind the tools: the key read (and registered as a secret before anything else), the
 * configured tokens read on-chain, and one paying fetch whose policy caps each call at `maxPerCall`
 * (or the call's lower `maxPrice`) and all calls at the budget.
 */
export async function prepareAgent(
  config: McpConfig,
  { io, output }: { io: CliIo; output: Output },
): Promise<Agent> {
  const account = await readAccount(output, { keyFile: config.keyFile, env: io.env, cwd: io.cwd })
  const connection = config.rpcUrl === undefined ? undefined : await connect(config.rpcUrl)
  if (config.assets.length > 0 && !connection)
    throw new ConfigError({
      issues: [
        { path: 'assets', message: 'a token outside the registry is read on-chain: set rpcUrl' },
      ],
    })
  const assets = await Promise.all(
    config.assets.map((address) =>
      readAsset(connection!.publicClient, { address: address as Address }).catch((cause) => {
        throw new AssetUnreadableError({ asset: address, cause })
      }),
    ),
  )
  const maxPrice = new AsyncLocalStorage<string | undefined>()
  const policy = createPolicy({
    maxPerRequest: config.maxPerCall,
    budgets: [{ limit: config.budget.limit, windowMs: config.budget.windowMs }],
    allowHttp: config.allowHttp,
    expectPrice: () => maxPrice.getStore(),
  })
  const pay = wrapFetch(fetch, {
    account,
    assets,
    // A log even without a file: x402_purchases lists every payment, not only those with an id.
    receipts: config.receipts ? createFileReceiptLog(config.receipts) : createMemoryReceiptLog(),
    // The configured chain proves a refused payment's authorization unspent.
    ...(connection
      ? { reconcile: { chains: { [connection.network]: connection.publicClient } } }
      : {}),
    policy,
  })
  return { address: account.address, pay, policy, maxPrice, assets, connection }
}
