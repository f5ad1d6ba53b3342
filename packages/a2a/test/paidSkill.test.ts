import { TaskState, type Task } from '@a2a-js/sdk'
import { ServiceParameters, withA2AExtensions } from '@a2a-js/sdk/client'
import { testUsdcAbi } from '@tollgate/contracts'
import { PolicyRefusedError } from '@tollgate/payer'
import { useDevnet } from '@tollgate/test'
import { type Address, erc20Abi, type Hash, parseEventLogs } from 'viem'
import { afterEach, describe, expect, test } from 'vitest'
import { wrapA2AClient } from '../src/exports/client.js'
import { x402ExtensionUris, x402MetadataKeys } from '../src/exports/index.js'
import { connect, forecastRequest, statusesOf, statusMetadata } from './client.js'
import { type Merchant, startMerchant } from './merchant.js'

// Issue 15's acceptance on a real chain and a real A2A server and client over loopback HTTP: the
// merchant is `@a2a-js/sdk`'s JSON-RPC transport over `createA2APaywall`, the client the SDK's
// `ClientFactory` client wrapped by `wrapA2AClient`, settlement on anvil.

const devnet = useDevnet({ accounts: 3 })
let merchant: Merchant | undefined
afterEach(async () => {
  await merchant?.close()
  merchant = undefined
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

/** The USDC transfers of a transaction. */
async function transfersOf(hash: Hash) {
  const receipt = await devnet.publicClient.getTransactionReceipt({ hash })
  return parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: 'Transfer' })
}

function forecastSkill(runs: { count: number }, extra: Record<string, unknown> = {}) {
  const [, seller] = devnet.accounts
  return {
    forecast: {
      price: '$0.01',
      network: devnet.network,
      asset: devnet.usdc.address,
      payTo: seller!.address,
      description: 'Tomorrow, hour by hour',
      run: async () => {
        runs.count++
        return {
          text: 'Sunny tomorrow.',
          artifacts: [
            {
              artifactId: 'forecast',
              name: 'forecast',
              description: '',
              parts: [
                {
                  content: { $case: 'data' as const, value: { tomorrow: 'sunny', high: 21 } },
                  metadata: undefined,
                  filename: '',
                  mediaType: 'application/json',
                },
              ],
              metadata: undefined,
              extensions: [],
            },
          ],
        }
      },
      ...extra,
    },
  }
}

function payingClient(client: Awaited<ReturnType<typeof connect>>, policy = {}) {
  const [buyer] = devnet.accounts
  return wrapA2AClient(client, {
    account: buyer!.account,
    assets: [devnet.usdc],
    reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    policy: { maxPerRequest: '$0.02', ...policy },
  })
}

describe('a paid skill called by our client', () => {
  test('the task ends completed with a receipt, one transfer of the price, the spec statuses in order', async () => {
    const [buyer, seller] = devnet.accounts
    const runs = { count: 0 }
    merchant = await startMerchant(devnet, { skills: forecastSkill(runs) })
    const client = await connect(merchant.url)
    const paying = payingClient(client)
    const before = await balanceOf(seller!.address)

    const { result, receipt } = await paying.sendMessage(forecastRequest())

    const task = result as Task
    expect(task.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    expect(runs.count).toBe(1)
    expect(receipt?.status).toBe('settled')
    expect(receipt?.amount).toBe(10_000n)
    const metadata = statusMetadata(task)
    expect(metadata[x402MetadataKeys.status]).toBe('payment-completed')
    const receipts = metadata[x402MetadataKeys.receipts] as { success: boolean; transaction: Hash }[]
    expect(receipts).toHaveLength(1)
    expect(receipts[0]).toMatchObject({ success: true, network: devnet.network, payer: buyer!.address })
    expect(receipt?.transaction).toBe(receipts[0]!.transaction)
    // The work came with the payment, as an artifact.
    expect(task.artifacts.map((artifact) => artifact.artifactId)).toEqual(['forecast'])

    // One transfer on-chain: the price, from the buyer to the seller.
    const transfers = await transfersOf(receipts[0]!.transaction)
    expect(transfers).toHaveLength(1)
    expect(transfers[0]!.args).toEqual({ from: buyer!.address, to: seller!.address, value: 10_000n })
    expect(await balanceOf(seller!.address)).toBe(before + 10_000n)

    // The task as the merchant keeps it: the request, then the spec's statuses in order.
    const stored = await client.getTask({ tenant: '', id: task.id, historyLength: undefined })
    expect(statusesOf(stored)).toEqual([
      'payment-required',
      'payment-submitted',
      'payment-verified',
      'payment-completed',
    ])
    expect(stored.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
  })
})
