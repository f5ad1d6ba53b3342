import { type Task, TaskState } from '@a2a-js/sdk'
import { ServiceParameters, withA2AExtensions } from '@a2a-js/sdk/client'
import { deployRegistries, testUsdcAbi } from '@tollgate/contracts'
import { createPayeeVerifier, createRegistrationFile, registerAgent } from '@tollgate/identity'
import { createPayer, PolicyRefusedError } from '@tollgate/payer'
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
    const receipts = metadata[x402MetadataKeys.receipts] as {
      success: boolean
      transaction: Hash
    }[]
    expect(receipts).toHaveLength(1)
    expect(receipts[0]).toMatchObject({
      success: true,
      network: devnet.network,
      payer: buyer!.address,
    })
    expect(receipt?.transaction).toBe(receipts[0]!.transaction)
    // The work came with the payment, as an artifact.
    expect(task.artifacts.map((artifact) => artifact.artifactId)).toEqual(['forecast'])

    // One transfer on-chain: the price, from the buyer to the seller.
    const transfers = await transfersOf(receipts[0]!.transaction)
    expect(transfers).toHaveLength(1)
    expect(transfers[0]!.args).toEqual({
      from: buyer!.address,
      to: seller!.address,
      value: 10_000n,
    })
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

/** Signs a payment for a challenge with a bare payer (no policy in the way), as a replayer would. */
async function signFor(paymentRequired: unknown, url: string) {
  const [buyer] = devnet.accounts
  const payer = createPayer({ account: buyer!.account, assets: [devnet.usdc], reconcile: false })
  return payer.call(undefined, async (call) => {
    const attempt = await call.pay({
      paymentRequired: paymentRequired as never,
      source: { url: new URL(url), method: 'SendMessage' },
    })
    return attempt.payload
  })
}

const activation = {
  serviceParameters: ServiceParameters.create(withA2AExtensions(x402ExtensionUris['v0.2'])),
}

describe('replays and refusals', () => {
  test('one payload message sent 50 times at once (and 5 more on new tasks): 1 skill run, 1 transfer', async () => {
    const [buyer, seller] = devnet.accounts
    const runs = { count: 0 }
    merchant = await startMerchant(devnet, { skills: forecastSkill(runs) })
    const client = await connect(merchant.url)
    const asked = (await client.sendMessage(forecastRequest(), activation)) as Task
    expect(asked.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED)
    const required = statusMetadata(asked)[x402MetadataKeys.required]
    const payload = await signFor(required, `${merchant.url}/a2a`)
    const before = await balanceOf(seller!.address)
    // Transfers from the next block on: the current one holds an earlier test's.
    const fromBlock = (await devnet.publicClient.getBlockNumber()) + 1n

    const message = {
      ...forecastRequest('Here is the payment authorization.').message!,
      taskId: asked.id,
      contextId: asked.contextId,
      metadata: {
        [x402MetadataKeys.status]: 'payment-submitted',
        [x402MetadataKeys.payload]: payload,
      },
    }
    const send = (onTask: boolean) =>
      client.sendMessage(
        {
          ...forecastRequest(),
          message: onTask ? message : { ...message, taskId: '', contextId: '' },
        },
        activation,
      )
    const answers = await Promise.allSettled([
      ...Array.from({ length: 50 }, () => send(true)),
      ...Array.from({ length: 5 }, () => send(false)),
    ])

    expect(runs.count).toBe(1)
    const transfers = await devnet.publicClient.getContractEvents({
      address: devnet.usdc.address,
      abi: erc20Abi,
      eventName: 'Transfer',
      args: { from: buyer!.address },
      fromBlock,
    })
    expect(transfers).toHaveLength(1)
    expect(await balanceOf(seller!.address)).toBe(before + 10_000n)

    // Every answer on the task is the one completed task; a replay on a new task is refused.
    const onTask = answers.slice(0, 50)
    for (const answer of onTask) {
      if (answer.status === 'rejected') continue // the SDK refuses a message to a finished task
      expect((answer.value as Task).status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
      expect((answer.value as Task).id).toBe(asked.id)
    }
    expect(onTask.some((answer) => answer.status === 'fulfilled')).toBe(true)
    for (const answer of answers.slice(50)) {
      expect(answer.status).toBe('fulfilled')
      const task = (answer as PromiseFulfilledResult<Task>).value
      expect(task.status?.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED)
      expect(statusMetadata(task)).toMatchObject({
        [x402MetadataKeys.status]: 'payment-failed',
        [x402MetadataKeys.error]: 'DUPLICATE_NONCE',
      })
      expect(task.artifacts).toEqual([])
    }
    const stored = await client.getTask({ tenant: '', id: asked.id, historyLength: undefined })
    expect(stored.status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    const receipts = statusMetadata(stored)[x402MetadataKeys.receipts] as unknown[]
    expect(receipts).toHaveLength(1)
  })

  test('a payment over the client policy is never signed; the merchant is told payment-rejected', async () => {
    const [buyer] = devnet.accounts
    const runs = { count: 0 }
    merchant = await startMerchant(devnet, { skills: forecastSkill(runs) })
    const client = await connect(merchant.url)
    let signatures = 0
    const signer = buyer!.account
    const account: typeof signer = {
      ...signer,
      signTypedData: ((parameters) => {
        signatures++
        return signer.signTypedData(parameters)
      }) as typeof signer.signTypedData,
    }
    const paying = wrapA2AClient(client, {
      account,
      assets: [devnet.usdc],
      reconcile: false,
      policy: { maxPerRequest: '$0.005' },
    })
    const error = await paying.sendMessage(forecastRequest()).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PolicyRefusedError)
    expect((error as PolicyRefusedError).guard).toBe('maxPerRequest')
    expect(signatures).toBe(0)
    expect(runs.count).toBe(0)

    const { tasks } = await client.listTasks({
      tenant: '',
      contextId: '',
      status: TaskState.TASK_STATE_UNSPECIFIED,
      pageToken: '',
      statusTimestampAfter: undefined,
    })
    expect(tasks).toHaveLength(1)
    expect(tasks[0]!.status?.state).toBe(TaskState.TASK_STATE_CANCELED)
    expect(statusesOf(tasks[0]!)).toEqual([
      'payment-required',
      'payment-rejected',
      'payment-rejected',
    ])
    expect(JSON.stringify(tasks[0])).not.toContain(x402MetadataKeys.payload)
  })
})

describe('the payee check', () => {
  test("pays only the agent's ERC-8004 wallet: a task paying another address is never signed", async () => {
    const [buyer, seller, other] = devnet.accounts
    const registries = await deployRegistries(
      devnet.walletClient(devnet.deployer.account),
      devnet.publicClient,
    )
    // The seller's identity; its verified wallet is the seller's address (the owner's, by default).
    const agent = await registerAgent(devnet.walletClient(seller!.account), {
      registry: registries.identityRegistry,
      file: createRegistrationFile({ name: 'forecast-agent', x402Support: true }),
      publish: { kind: 'data' },
    })
    const identity = { agentRegistry: agent.agentRegistry, agentId: agent.agentId }
    let signatures = 0
    const signer = buyer!.account
    const account: typeof signer = {
      ...signer,
      signTypedData: ((parameters) => {
        signatures++
        return signer.signTypedData(parameters)
      }) as typeof signer.signTypedData,
    }
    const payWith = async (url: string) =>
      wrapA2AClient(await connect(url), {
        account,
        assets: [devnet.usdc],
        reconcile: false,
        policy: { verifyPayee: createPayeeVerifier(devnet.publicClient), requireIdentity: true },
      })

    // The merchant names the seller's identity but asks to be paid elsewhere.
    const runs = { count: 0 }
    const skills = forecastSkill(runs)
    merchant = await startMerchant(devnet, {
      agent: identity,
      skills: { forecast: { ...skills.forecast, payTo: other!.address } },
    })
    const before = await balanceOf(other!.address)
    const paying = await payWith(merchant.url)
    const error = await paying.sendMessage(forecastRequest()).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PolicyRefusedError)
    // The identity guard: the payee is not the named agent's verified wallet.
    expect((error as PolicyRefusedError).guard).toBe('identity')
    expect((error as PolicyRefusedError).refusal.values).toMatchObject({
      payTo: other!.address,
      agentId: agent.agentId,
    })
    expect(signatures).toBe(0)
    expect(runs.count).toBe(0)
    expect(await balanceOf(other!.address)).toBe(before)
    await merchant.close()

    // Paid to the agent's wallet, the same client pays: one transfer to the seller.
    merchant = await startMerchant(devnet, { agent: identity, skills: forecastSkill(runs) })
    const { result, receipt } = await (await payWith(merchant.url)).sendMessage(forecastRequest())
    expect((result as Task).status?.state).toBe(TaskState.TASK_STATE_COMPLETED)
    expect(receipt?.status).toBe('settled')
    expect(signatures).toBe(1)
    const transfers = await transfersOf(receipt!.transaction as Hash)
    expect(transfers.map((transfer) => transfer.args)).toEqual([
      { from: buyer!.address, to: seller!.address, value: 10_000n },
    ])
  })
})

describe('failures', () => {
  test('a payment that fails to settle ends the task failed with payment-failed and the reason; nothing is served', async () => {
    const [, seller, drained] = devnet.accounts
    const runs = { count: 0 }
    // The buyer empties its wallet while the skill runs: the payment verified, then cannot settle.
    const skills = forecastSkill(runs)
    const run = skills.forecast.run
    skills.forecast.run = async () => {
      const answer = await run()
      const balance = await balanceOf(drained!.address)
      const hash = await devnet.walletClient(drained!.account).writeContract({
        address: devnet.usdc.address,
        abi: erc20Abi,
        functionName: 'transfer',
        args: [devnet.deployer.address, balance],
      })
      await devnet.publicClient.waitForTransactionReceipt({ hash })
      return answer
    }
    merchant = await startMerchant(devnet, { skills })
    const client = await connect(merchant.url)
    const paying = wrapA2AClient(client, {
      account: drained!.account,
      assets: [devnet.usdc],
      reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    })
    const before = await balanceOf(seller!.address)

    const { result, receipt } = await paying.sendMessage(forecastRequest())

    const task = result as Task
    expect(runs.count).toBe(1)
    expect(task.status?.state).toBe(TaskState.TASK_STATE_FAILED)
    const metadata = statusMetadata(task)
    expect(metadata[x402MetadataKeys.status]).toBe('payment-failed')
    expect(metadata[x402MetadataKeys.error]).toBe('INSUFFICIENT_FUNDS')
    const receipts = metadata[x402MetadataKeys.receipts] as {
      success: boolean
      errorReason: string
    }[]
    expect(receipts).toHaveLength(1)
    expect(receipts[0]!.success).toBe(false)
    expect(receipts[0]!.errorReason).toMatch(/insufficient/)
    expect(task.status?.message?.parts[0]?.content).toEqual({
      $case: 'text',
      value: `Payment settlement failed (${receipts[0]!.errorReason}): nothing was served.`,
    })
    // Nothing served, nothing paid: no artifact, the seller's balance unchanged, the buyer's
    // payment proven unspent on-chain.
    expect(task.artifacts).toEqual([])
    expect(await balanceOf(seller!.address)).toBe(before)
    expect(receipt?.status).toBe('refused')
    const stored = await client.getTask({ tenant: '', id: task.id, historyLength: undefined })
    expect(stored.artifacts).toEqual([])
    expect(statusesOf(stored)).toEqual([
      'payment-required',
      'payment-submitted',
      'payment-verified',
      'payment-failed',
    ])
    await devnet.mint(drained!.address, 1_000_000n)
  })

  test('a skill that fails charges nothing: failed, payment-failed SERVICE_FAILED, no transfer', async () => {
    const [, seller] = devnet.accounts
    const runs = { count: 0 }
    const skills = forecastSkill(runs)
    skills.forecast.run = async () => {
      runs.count++
      return { ok: false, text: 'No forecast for the moon.', artifacts: [] }
    }
    merchant = await startMerchant(devnet, { skills })
    const paying = payingClient(await connect(merchant.url))
    const before = await balanceOf(seller!.address)

    const { result, receipt } = await paying.sendMessage(forecastRequest('The moon?'))

    const task = result as Task
    expect(runs.count).toBe(1)
    expect(task.status?.state).toBe(TaskState.TASK_STATE_FAILED)
    expect(statusMetadata(task)).toMatchObject({
      [x402MetadataKeys.status]: 'payment-failed',
      [x402MetadataKeys.error]: 'SERVICE_FAILED',
    })
    expect(task.status?.message?.parts[0]?.content).toEqual({
      $case: 'text',
      value: 'No forecast for the moon.',
    })
    expect(await balanceOf(seller!.address)).toBe(before)
    expect(receipt?.status).toBe('refused')
  })
})

describe('activation', () => {
  test('a request without the extension is refused; either URI activates it and is echoed', async () => {
    const runs = { count: 0 }
    merchant = await startMerchant(devnet, { skills: forecastSkill(runs) })
    const client = await connect(merchant.url)
    await expect(client.sendMessage(forecastRequest())).rejects.toThrow(
      /required extensions: https:\/\/github.com\/google-agentic-commerce\/a2a-x402\/blob\/main\/spec\/v0.2/,
    )

    // A2A 1.0 wire, the v0.1 URI only: accepted, echoed, and the challenge is x402 v1.
    const response = await fetch(`${merchant.url}/a2a`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'A2A-Version': '1.0',
        'A2A-Extensions': x402ExtensionUris['v0.1'],
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'SendMessage',
        params: { message: { messageId: 'm-1', role: 'ROLE_USER', parts: [{ text: 'Oslo?' }] } },
      }),
    })
    expect(response.headers.get('a2a-extensions')).toBe(x402ExtensionUris['v0.1'])
    const body = await response.json()
    expect(body.result.task.status.state).toBe('TASK_STATE_INPUT_REQUIRED')
    const metadata = body.result.task.status.message.metadata
    expect(metadata[x402MetadataKeys.status]).toBe('payment-required')
    expect(metadata[x402MetadataKeys.required].x402Version).toBe(1)
    expect(metadata[x402MetadataKeys.required].accepts[0]).toMatchObject({
      scheme: 'exact',
      network: devnet.network,
      maxAmountRequired: '10000',
      resource: `${merchant.url}/a2a#forecast`,
    })

    // The v0.2 URI: echoed, and the challenge is x402 v2.
    const v2 = await client.sendMessage(forecastRequest(), activation)
    const required = statusMetadata(v2)[x402MetadataKeys.required] as { x402Version: number }
    expect(required.x402Version).toBe(2)
    expect(runs.count).toBe(0)
  })
})
