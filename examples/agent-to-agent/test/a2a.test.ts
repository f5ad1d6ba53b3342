import { deployRegistries, testUsdcAbi } from '@tollgate/contracts'
import { readFeedback, resolveAgent } from '@tollgate/identity'
import { useDevnet } from '@tollgate/test'
import { type Address, erc20Abi, type Hash, parseEventLogs } from 'viem'
import { afterEach, expect, test } from 'vitest'
import { runExample, stopExamples } from '../../paid-api/test/runExample.js'

// The loop over A2A, as two programs: registry -> card -> paid task -> feedback citing the
// settlement transaction. Each link is checked on the chain or on the wire.

const devnet = useDevnet({ accounts: 2 })
afterEach(stopExamples)

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

test('over A2A: the buyer finds the seller card in the registry, pays two tasks within budget, and its feedback cites the settlement', async () => {
  const [buyer, seller] = devnet.accounts as [
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
  ]
  const registries = await deployRegistries(
    devnet.walletClient(devnet.deployer.account),
    devnet.publicClient,
  )
  const common = {
    RPC_URL: devnet.rpcUrl,
    IDENTITY_REGISTRY: registries.identityRegistry,
    REPUTATION_REGISTRY: registries.reputationRegistry,
    USDC_ADDRESS: devnet.usdc.address,
  }
  const sellerProcess = runExample('agent-to-agent/src/a2a-seller.ts', {
    ...common,
    SELLER_PRIVATE_KEY: seller.privateKey,
    PORT: '0',
  })
  const [, agentId] = await sellerProcess.waitFor(/seller registered as agent #(\d+)/)
  const [, cardUrl] = await sellerProcess.waitFor(/seller's A2A card at (http:\S+\.json)/)

  // Registry -> card: the registration lists the card as its A2A service, and the card declares
  // the x402 extension.
  const agent = await resolveAgent(devnet.publicClient, {
    registry: registries.identityRegistry,
    agentId: BigInt(agentId!),
    fetchOptions: { allowHttp: true },
  })
  expect(agent.a2a).toEqual({ name: 'A2A', endpoint: cardUrl, version: '1.0' })
  const card = await (await fetch(cardUrl!, { headers: { 'A2A-Version': '1.0' } })).json()
  expect(card.capabilities.extensions).toContainEqual(
    expect.objectContaining({
      uri: 'https://github.com/google-agentic-commerce/a2a-x402/blob/main/spec/v0.2',
      required: true,
    }),
  )

  const before = await balanceOf(seller.address)
  const buyerProcess = runExample('agent-to-agent/src/a2a-buyer.ts', {
    ...common,
    BUYER_PRIVATE_KEY: buyer.privateKey,
    CALLS: '3',
    BUDGET: '$0.02',
    ALLOW_HTTP: '1',
  })
  expect(await buyerProcess.exited, buyerProcess.output()).toBe(0)
  const output = buyerProcess.output()
  expect(output).toContain(
    `found agent #${agentId}: ${cardUrl}, domain verified, wallet ${seller.address}`,
  )
  // Card -> paid task: two tasks completed and settled, the third refused before signing.
  const paid = [
    ...output.matchAll(/^call \d: task \S+ completed, paid \$0\.01 in (0x[0-9a-f]{64})$/gm),
  ].map((match) => match[1] as Hash)
  expect(paid).toHaveLength(2)
  expect(output).toMatch(/^call 3: refused \(budget\), nothing signed/m)
  for (const hash of paid) {
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash })
    const transfers = parseEventLogs({ abi: erc20Abi, logs: receipt.logs, eventName: 'Transfer' })
    expect(transfers.map((transfer) => transfer.args)).toEqual([
      { from: buyer.address, to: seller.address, value: 10_000n },
    ])
  }
  expect(await balanceOf(seller.address)).toBe(before + 20_000n)

  // Paid task -> feedback: on-chain, its file's proof of payment is the last settlement.
  expect(output).toContain(`feedback #1 cites payment ${paid[1]}`)
  const feedback = await readFeedback(devnet.publicClient, {
    registry: registries.reputationRegistry,
    agentId: BigInt(agentId!),
    clientAddress: buyer.address,
    feedbackIndex: 1n,
    includeFile: true,
    fetchOptions: { allowHttp: true },
  })
  expect(feedback.formatted).toBe('95')
  expect(feedback.hashMatches).not.toBe(false)
  expect(feedback.file?.proofOfPayment).toMatchObject({
    fromAddress: buyer.address,
    toAddress: seller.address,
    chainId: String(devnet.chainId),
    txHash: paid[1],
  })
  expect((feedback.file as { a2a?: { skills?: string[] } } | undefined)?.a2a?.skills).toEqual([
    'forecast',
  ])
  expect(output).toContain(`agent #${agentId} from this buyer: reviews 1, average 95`)

  expect(await sellerProcess.stop()).toBe(0)
}, 90_000) // two programs started with tsx: slow on a loaded machine
