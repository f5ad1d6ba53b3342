import { deployRegistries, testUsdcAbi } from '@tollgate/contracts'
import { getReputationSummary } from '@tollgate/identity'
import { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { generatePrivateKey } from 'viem/accounts'
import { afterEach, expect, test } from 'vitest'
import { runExample, stopExamples } from '../../paid-api/test/runExample.js'

const devnet = useDevnet({ accounts: 2 })
afterEach(stopExamples)

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

test('the buyer finds the registered seller, pays its verified wallet within budget, leaves feedback', async () => {
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
  const sellerProcess = runExample('agent-to-agent/src/seller.ts', {
    ...common,
    SELLER_PRIVATE_KEY: seller.privateKey,
    PORT: '0',
  })
  const [, agentId] = await sellerProcess.waitFor(/seller registered as agent #(\d+)/)
  const [, endpoint] = await sellerProcess.waitFor(/seller listening on (http:\S+\/forecast)/)

  // The seller's 402 names its identity, and its host serves the domain proof.
  const challenge = await fetch(endpoint!)
  expect(challenge.status).toBe(402)
  const required = JSON.parse(
    Buffer.from(challenge.headers.get('payment-required')!, 'base64').toString(),
  )
  expect(required.extensions.erc8004.info).toEqual({
    agentRegistry: `eip155:${devnet.chainId}:${registries.identityRegistry}`,
    agentId: Number(agentId),
  })
  const wellKnown = await fetch(new URL('/.well-known/agent-registration.json', endpoint))
  expect(wellKnown.status).toBe(200)

  const before = await balanceOf(seller.address)
  const buyerProcess = runExample('agent-to-agent/src/buyer.ts', {
    ...common,
    BUYER_PRIVATE_KEY: buyer.privateKey,
    CALLS: '3',
    BUDGET: '$0.02',
    ALLOW_HTTP: '1',
  })
  expect(await buyerProcess.exited, buyerProcess.output()).toBe(0)
  const output = buyerProcess.output()
  expect(output).toContain(
    `found agent #${agentId}: ${endpoint}, domain verified, wallet ${seller.address}`,
  )
  const paid = [...output.matchAll(/^call \d: 200 paid \$0\.01 in (0x[0-9a-f]{64})$/gm)].map(
    (match) => match[1],
  )
  expect(paid).toHaveLength(2)
  expect(output).toMatch(/^call 3: refused \(budget\), nothing signed/m)
  expect(await balanceOf(seller.address)).toBe(before + 20_000n)

  // The feedback is on-chain and cites the last payment's settlement.
  expect(output).toContain(`cites payment ${paid[1]}`)
  const summary = await getReputationSummary(devnet.publicClient, {
    registry: registries.reputationRegistry,
    agentId: BigInt(agentId!),
    clients: [buyer.address],
    tag1: 'x402',
  })
  expect(summary.count).toBe(1n)
  expect(output).toContain(`agent #${agentId} from this buyer: reviews 1, average 95`)

  // A buyer without USDC: the seller refuses its payment, and the buyer does not call it paid.
  const brokeProcess = runExample('agent-to-agent/src/buyer.ts', {
    ...common,
    BUYER_PRIVATE_KEY: generatePrivateKey(),
    CALLS: '1',
    ALLOW_HTTP: '1',
  })
  expect(await brokeProcess.exited, brokeProcess.output()).toBe(0)
  const broke = brokeProcess.output()
  expect(broke).toMatch(/^call 1: 402 (not paid: refused|unknown whether paid): \$0\.01 /m)
  expect(broke).not.toMatch(/^call 1: .*\bpaid \$/m)
  expect(await balanceOf(seller.address)).toBe(before + 20_000n)

  expect(await sellerProcess.stop()).toBe(0)
})
