import { createRequire } from 'node:module'
import { parsePayment } from '@tollgate/paywall'
import { useDevnet } from '@tollgate/test'
import { type Address, erc20Abi, type Hash, parseEventLogs } from 'viem'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { x402ExtensionUris } from '../src/exports/index.js'
import { type Merchant, startMerchant } from './merchant.js'

// Pairing with npm `a2a-x402` 0.0.5, the community TypeScript port of the Python reference
// (spec v0.1, x402 v1, its own A2A 0.3 types). It ships no A2A transport (the port expects
// adk-typescript's), so its client half is driven here over plain JSON-RPC on the A2A 0.3 wire:
// its extension URI activates ours, its `x402Utils` reads our task, its `processPaymentRequired`
// signs (through a viem account standing in for its ethers wallet), its
// `createPaymentSubmissionMessage` pays, and its `x402Utils` reads the receipt. Its ESM build
// imports without file extensions, which Node refuses: its CommonJS build is loaded.

type A2aX402 = {
  X402_EXTENSION_URI: string
  x402Utils: new () => {
    getPaymentStatus(task: unknown): string | null
    getPaymentRequirements(task: unknown): { x402Version: number; accepts: unknown[] } | null
    getPaymentReceipts(task: unknown): { success: boolean; transaction?: string; network: string }[]
  }
  processPaymentRequired(required: unknown, wallet: unknown): Promise<{ payload: unknown }>
  createPaymentSubmissionMessage(taskId: string, payload: unknown): Record<string, unknown>
}
const peer = createRequire(import.meta.url)('a2a-x402') as A2aX402

// Its networks are Base, Base Sepolia, Ethereum and Polygon (and their testnets) by name only:
// the devnet is chain 84532, which it calls `base-sepolia`.
const devnet = useDevnet({ accounts: 2, chainId: 84532 })
let merchant: Merchant
let runs = 0
beforeAll(async () => {
  merchant = await startMerchant(devnet, {
    skills: {
      forecast: {
        price: '$0.01',
        network: 'base-sepolia',
        asset: devnet.usdc.address,
        payTo: devnet.accounts[1]!.address,
        run: async () => {
          runs++
          return { text: 'Sunny tomorrow.' }
        },
      },
    },
  })
})
afterAll(() => merchant?.close())

async function send(message: Record<string, unknown>) {
  const response = await fetch(`${merchant.url}/a2a`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-A2A-Extensions': peer.X402_EXTENSION_URI },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'message/send', params: { message } }),
  })
  return (await response.json()).result
}

test('npm a2a-x402 (v0.1, x402 v1) pays a Tollgate merchant over the A2A 0.3 wire', async () => {
  const [buyer, seller] = devnet.accounts
  expect(peer.X402_EXTENSION_URI).toBe(x402ExtensionUris['v0.1'])
  const utils = new peer.x402Utils()

  const task = await send({
    kind: 'message',
    messageId: crypto.randomUUID(),
    role: 'user',
    parts: [{ kind: 'text', text: 'Forecast for Oslo?' }],
  })
  expect(utils.getPaymentStatus(task)).toBe('payment-required')
  const required = utils.getPaymentRequirements(task)!
  expect(required.x402Version).toBe(1)
  expect(required.accepts[0]).toMatchObject({ network: 'base-sepolia', maxAmountRequired: '10000' })

  // Its wallet interface is ethers' `signTypedData(domain, types, value)`.
  const wallet = {
    address: buyer!.address,
    signTypedData: (domain: unknown, types: unknown, message: unknown) =>
      // Typed data from the peer, typed by viem only at run time.
      buyer!.account.signTypedData({
        domain,
        types,
        primaryType: 'TransferWithAuthorization',
        message,
      } as never),
  }
  const payload = await peer.processPaymentRequired(required, wallet)
  // It writes validAfter/validBefore as JSON numbers where x402 has decimal strings: the strict
  // reader refuses that; the A2A merchant reads a safe integer as its decimal string.
  expect(parsePayment(payload)).toMatchObject({ reason: 'invalid_payload' })

  const message = peer.createPaymentSubmissionMessage(task.id, payload)
  // Its message has no `kind` (an A2A 0.3 message needs one) and no `contextId`.
  const paid = await send({ ...message, kind: 'message', contextId: task.contextId })

  expect(paid.status.state).toBe('completed')
  expect(utils.getPaymentStatus(paid)).toBe('payment-completed')
  const [receipt] = utils.getPaymentReceipts(paid)
  expect(receipt).toMatchObject({ success: true, network: 'base-sepolia' })
  expect(runs).toBe(1)
  const mined = await devnet.publicClient.getTransactionReceipt({
    hash: receipt!.transaction as Hash,
  })
  const transfers = parseEventLogs({ abi: erc20Abi, logs: mined.logs, eventName: 'Transfer' })
  expect(transfers.map((transfer) => transfer.args)).toEqual([
    { from: buyer!.address as Address, to: seller!.address as Address, value: 10_000n },
  ])
})
