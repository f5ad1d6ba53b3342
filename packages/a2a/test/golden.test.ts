import { readFileSync } from 'node:fs'
import { createPayer } from '@tollgate/payer'
import { useDevnet } from '@tollgate/test'
import { type Address, getAddress } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { x402ExtensionUris, x402MetadataKeys } from '../src/exports/index.js'
import { differingFields } from './fields.js'
import { type Merchant, startMerchant } from './merchant.js'

// The a2a-x402 spec's JSON examples (test/golden, copied from the spec) against what the merchant
// sends and accepts on the spec's wire: A2A 0.3 JSON-RPC (`message/send`, `kind` fields), x402 v1
// objects, on a devnet that is Base (chain 8453) with USDC at Base's USDC address, so that
// `network: "base"` and the asset are the examples' own.

const baseUsdc = '0x833589fCD6eDb6E08f4c7C32D4f71b54bda02913' as Address
const devnet = useDevnet({ accounts: 2, chainId: 8453 })
const golden = (name: string) =>
  JSON.parse(readFileSync(new URL(`./golden/${name}.json`, import.meta.url), 'utf8'))

let merchant: Merchant
let runs = 0
beforeAll(async () => {
  await devnet.placeUsdcAt(baseUsdc)
  await devnet.mint(devnet.accounts[0]!.address, 100_000_000n, baseUsdc)
  merchant = await startMerchant(devnet, {
    // The examples are x402 v1, whichever URI the client activates.
    x402Version: 1,
    assets: [],
    skills: {
      'generate-image': {
        price: 48_240_000n,
        network: 'base',
        payTo: devnet.accounts[1]!.address,
        maxTimeoutSeconds: 600,
        resource: 'https://api.example.com/generate-image',
        description: 'Generate an image',
        mimeType: 'application/json',
        outputSchema: {},
        run: async () => {
          runs++
          return {
            artifacts: [
              {
                artifactId: 'image',
                name: 'image',
                description: '',
                parts: [
                  {
                    content: { $case: 'url', value: 'https://images.example/1.png' },
                    metadata: undefined,
                    filename: '1.png',
                    mediaType: 'image/png',
                  },
                ],
                metadata: undefined,
                extensions: [],
              },
            ],
          }
        },
      },
    },
  })
})
afterAll(() => merchant?.close())

/** One JSON-RPC call on the A2A 0.3 wire (no `A2A-Version`: the SDK's legacy compat answers). */
async function call(id: string, method: string, params: unknown, uri: string) {
  const response = await fetch(`${merchant.url}/a2a`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'X-A2A-Extensions': uri },
    body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
  })
  return { echoed: response.headers.get('x-a2a-extensions'), body: await response.json() }
}

function request(id: string, text: string, uri: string) {
  return call(
    id,
    'message/send',
    {
      message: {
        kind: 'message',
        messageId: crypto.randomUUID(),
        role: 'user',
        parts: [{ kind: 'text', text }],
      },
    },
    uri,
  )
}

/** Signs the challenge's option with a bare payer whose clock is `now`. */
function sign(required: unknown, now = Date.now) {
  const payer = createPayer({
    account: devnet.accounts[0]!.account,
    reconcile: false,
    policy: { maxPerRequest: '$100', budgets: [], now },
  })
  return payer.call(
    undefined,
    async (call) =>
      (
        await call.pay({
          paymentRequired: required as never,
          source: { url: new URL('https://api.example.com/generate-image'), method: 'SendMessage' },
        })
      ).payload,
  )
}

function submit(
  id: string,
  task: { id: string; contextId: string },
  payload: unknown,
  uri: string,
) {
  const example = golden('v0.1-payment-submitted')
  const message = {
    ...example.params.message,
    kind: 'message',
    messageId: crypto.randomUUID(),
    taskId: task.id,
    contextId: task.contextId,
    metadata: { ...example.params.message.metadata, [x402MetadataKeys.payload]: payload },
  }
  return call(id, example.method, { message }, uri)
}

describe('the spec examples, field by field', () => {
  test('v0.1: the payment request (§4.3), the payment submitted (§4.5)', async () => {
    const { echoed, body } = await request(
      'req-001',
      'Generate an image',
      x402ExtensionUris['v0.1'],
    )
    expect(echoed).toBe(x402ExtensionUris['v0.1'])
    const task = body.result
    expect(
      differingFields(golden('v0.1-payment-required'), body, {
        '.result.id': task.id,
        // Free text in the spec; ours names no product.
        '.result.status.message.parts[0].text': 'Payment is required.',
        // A placeholder in the spec.
        '.result.status.message.metadata.x402.payment.required.accepts[0].payTo':
          devnet.accounts[1]!.address,
        // The same address, EIP-55 checksummed.
        '.result.status.message.metadata.x402.payment.required.accepts[0].asset':
          getAddress(baseUsdc),
        // x402 v1 and EIP-712 have the version as a string: the example's number is not sent.
        '.result.status.message.metadata.x402.payment.required.accepts[0].extra.version': '2',
      }),
    ).toEqual([])
    const required = task.status.message.metadata[x402MetadataKeys.required]
    expect(required.accepts[0].payTo).toBe(devnet.accounts[1]!.address)

    // The spec's §4.5 request, its payload signed for this task, is accepted and paid.
    const payload = await sign(required)
    const paid = await submit('req-003', task, payload, x402ExtensionUris['v0.1'])
    expect(paid.body.result.status.state).toBe('completed')
    expect(runs).toBe(1)
  })

  test('v0.2: the standalone payment request (§5.3) and the payment completed (§5.5)', async () => {
    const uri = x402ExtensionUris['v0.2']
    const { echoed, body } = await request('req-001', 'Generate an image', uri)
    expect(echoed).toBe(uri)
    expect(
      differingFields(golden('v0.2-payment-required'), body, { '.result.id': body.result.id }),
    ).toEqual([])

    const payload = await sign(body.result.status.message.metadata[x402MetadataKeys.required])
    const paid = await submit('req-003', body.result, payload, uri)
    const receipt = paid.body.result.status.message.metadata[x402MetadataKeys.receipts][0]
    expect(
      differingFields(golden('v0.2-payment-completed'), paid.body, {
        '.result.id': body.result.id,
        '.result.status.message.metadata.x402.payment.receipts[0].transaction': receipt.transaction,
        // "service result" in the spec.
        '.result.artifacts': paid.body.result.artifacts,
      }),
    ).toEqual([])
    expect(receipt).toMatchObject({ success: true, network: 'base' })
    expect(
      paid.body.result.artifacts.map((artifact: { artifactId: string }) => artifact.artifactId),
    ).toEqual(['image'])
    expect(receipt.transaction).toMatch(/^0x[0-9a-f]{64}$/)
  })

  test('v0.2: the error response (§9.2), for a payment submitted after its validBefore', async () => {
    const uri = x402ExtensionUris['v0.2']
    const { body } = await request('req-001', 'Generate an image', uri)
    const required = body.result.status.message.metadata[x402MetadataKeys.required]
    // Signed an hour ago for ten minutes: expired when it arrives.
    const payload = await sign(required, () => Date.now() - 3_600_000)
    const failed = await submit('req-003', body.result, payload, uri)
    const task = failed.body.result
    const receipt = task.status.message.metadata[x402MetadataKeys.receipts][0]
    expect(
      differingFields(golden('v0.2-payment-failed'), task, {
        '.id': body.result.id,
        // The task may be paid again (the SDK refuses any message to a `failed` task), which the
        // spec leaves to the merchant.
        '.status.state': 'input-required',
        '.status.message.parts[0].text': task.status.message.parts[0].text,
        // The x402 reason, spelled as the reference spells it.
        '.status.message.metadata.x402.payment.receipts[0].errorReason': receipt.errorReason,
      }),
    ).toEqual([])
    expect(task.status.message.metadata).toMatchObject({
      [x402MetadataKeys.status]: 'payment-failed',
      [x402MetadataKeys.error]: 'EXPIRED_PAYMENT',
    })
    expect(receipt).toMatchObject({ success: false, network: 'base', transaction: '' })
    expect(receipt.errorReason).toMatch(/valid_before/)
  })
})
