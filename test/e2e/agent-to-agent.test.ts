import { type DeployRegistriesReturnType, deployRegistries } from '@tollgate/contracts'
import { agentRegistrationPath, decodePaymentRequiredHeader, headerNames } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { getReceipt, PolicyRefusedError, wrapFetch } from '@tollgate/fetch'
import {
  createPayeeVerifier,
  createRegistrationFile,
  findAgents,
  getReputationSummary,
  giveFeedbackForPayment,
  PayeeMismatchError,
  type RegistrationFile,
  type ResolvedAgent,
  readAgentFromChallenge,
  readFeedback,
  registerAgent,
  resolveAgent,
  setAgentWallet,
  verifyAgentDomain,
} from '@tollgate/identity'
import { listen, useDevnet } from '@tollgate/test'
import express from 'express'
import { type Address, erc20Abi, type Hex, type LocalAccount } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

// Issue 5's acceptance: a seller agent registers itself with an x402 service and opens a paywall
// that declares its identity; a buyer agent finds it by scanning the registry, resolves it,
// verifies its domain (the `.well-known` file the paywall serves) and wallet, pays a call through
// @tollgate/fetch with the identity payee check, and leaves feedback naming the settlement
// transaction, which the summary counts. A 402 whose payTo is not the registered wallet is refused
// before anything is signed.

const devnet = useDevnet({ accounts: 3 })
// Plain http on loopback stands in for https.
const fetchOptions = { allowHttp: true } as const

let registries: DeployRegistriesReturnType
let usdc: Asset
let app: express.Express
let sellerUrl: string
let closeSeller: () => Promise<void>
/** `PAYMENT-SIGNATURE` headers the seller received: what the buyer sent. */
const received: string[] = []
/** EIP-712 signatures the buyer's account made. */
let signatures = 0
/** Where the seller wants to be paid: a wallet it proves on-chain, not its owner key. */
const payout = privateKeyToAccount(generatePrivateKey())

beforeAll(async () => {
  registries = await deployRegistries(
    devnet.walletClient(devnet.deployer.account),
    devnet.publicClient,
  )
  usdc = devnet.usdc
  // The server listens first: its URL goes in the registration file, and the paywall (which needs
  // the agent id) is mounted once the seller is registered.
  app = express()
  app.use((req, _res, next) => {
    const signature = req.headers['payment-signature']
    if (typeof signature === 'string') received.push(signature)
    next()
  })
  const server = await listen(app)
  sellerUrl = server.url
  closeSeller = server.close
})

afterAll(async () => {
  await closeSeller?.()
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })

/** The buyer's key, counting what it signs. */
function countingAccount(account: LocalAccount): LocalAccount {
  return {
    ...account,
    signTypedData: (parameters) => {
      signatures++
      return account.signTypedData(parameters)
    },
  }
}

/** The buyer's paying fetch: a 402 naming an agent is paid only to that agent's verified wallet. */
function buyerFetch() {
  return wrapFetch(fetch, {
    account: countingAccount(devnet.accounts[1]!.account),
    assets: [usdc],
    policy: {
      verifyPayee: createPayeeVerifier(devnet.publicClient, { fetchOptions, verifyDomain: true }),
      requireIdentity: true,
    },
  })
}

describe('agent to agent', () => {
  let agentId: bigint
  let agent: ResolvedAgent

  test('the seller registers itself, proves its payout wallet and opens a paywall naming itself', async () => {
    const seller = devnet.walletClient(devnet.accounts[0]!.account)
    const sellerOwner = devnet.accounts[0]!.address
    const registered = await registerAgent(seller, {
      registry: registries.identityRegistry,
      file: createRegistrationFile({
        name: 'weather-seller',
        description: 'Paid forecasts',
        services: [{ name: 'web', endpoint: `${sellerUrl}/report` }],
        x402Support: true,
        supportedTrust: ['reputation'],
      }),
      publish: { kind: 'data' },
    })
    agentId = registered.agentId
    await setAgentWallet(seller, {
      registry: registries.identityRegistry,
      agentId,
      wallet: payout,
    })

    const registrationFile: RegistrationFile = registered.file
    app.use(
      createPaywall(
        createLocalFacilitator({
          publicClient: devnet.publicClient,
          walletClient: devnet.walletClient(devnet.accounts[2]!.account),
          assets: [usdc],
        }),
        {
          assets: [usdc],
          agent: { agentRegistry: registered.agentRegistry, agentId, registrationFile },
          routes: {
            'GET /report': { price: '$0.01', payTo: payout.address, network: devnet.network },
            // Misconfigured (or hijacked): pays the owner key, which is not the verified wallet.
            'GET /rogue': { price: '$0.01', payTo: sellerOwner, network: devnet.network },
          },
        },
      ),
    )
    app.get('/report', (_req, res) => {
      res.json({ forecast: 'sunny' })
    })
    app.get('/rogue', (_req, res) => {
      res.json({ forecast: 'stolen' })
    })

    // The domain proof is the published file, served by the paywall.
    const wellKnown = await fetch(`${sellerUrl}${agentRegistrationPath}`)
    expect(wellKnown.status).toBe(200)
    expect(wellKnown.headers.get('access-control-allow-origin')).toBe('*')
    expect(await wellKnown.json()).toEqual(JSON.parse(registered.json))
  })

  test('the buyer discovers, resolves and verifies it; the 402 names the same agent', async () => {
    const found = await findAgents(devnet.publicClient, {
      registry: registries.identityRegistry,
      chunkSize: 5n,
      filter: { service: 'web', x402Support: true, active: true },
    })
    expect(found.map((a) => a.agentId)).toEqual([agentId])
    expect(found[0]!.agentWallet).toBe(payout.address)

    agent = await resolveAgent(devnet.publicClient, {
      registry: `eip155:${devnet.chainId}:${registries.identityRegistry}`,
      agentId,
      fetchOptions,
    })
    expect(agent.flags).toMatchObject({ registrationMismatch: false, walletUnset: false })
    expect(agent.agentWallet).toBe(payout.address)
    const endpoint = agent.getService('web')!.endpoint
    expect(endpoint).toBe(`${sellerUrl}/report`)
    expect(await verifyAgentDomain({ agent, endpoint, fetchOptions })).toMatchObject({
      verified: true,
      method: 'well-known',
    })

    const challenge = await fetch(endpoint)
    expect(challenge.status).toBe(402)
    const paymentRequired = decodePaymentRequiredHeader(
      challenge.headers.get(headerNames.paymentRequired)!,
    )
    expect(readAgentFromChallenge(paymentRequired)).toEqual({
      agentRegistry: agent.agentRegistry,
      agentId,
    })
    // The v1 body names it too.
    expect(readAgentFromChallenge(await challenge.json())).toEqual({
      agentRegistry: agent.agentRegistry,
      agentId,
    })
  })

  test('the buyer pays the verified wallet and leaves feedback from the receipt; the summary counts it', async () => {
    const buyer = devnet.accounts[1]!
    const endpoint = agent.getService('web')!.endpoint
    const before = await balanceOf(payout.address)
    const response = await buyerFetch()(endpoint)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ forecast: 'sunny' })
    expect((await balanceOf(payout.address)) - before).toBe(10_000n)
    expect(signatures).toBe(1)
    expect(received).toHaveLength(1)
    const receipt = getReceipt(response)!
    expect(receipt).toMatchObject({
      status: 'settled',
      payTo: payout.address,
      payer: buyer.address,
    })
    const settlement = await devnet.publicClient.getTransactionReceipt({
      hash: receipt.transaction as Hex,
    })
    expect(settlement.status).toBe('success')

    const feedback = await giveFeedbackForPayment(devnet.walletClient(buyer.account), {
      registry: registries.reputationRegistry,
      agentId,
      receipt,
      value: '100',
      tag1: 'x402',
      endpoint,
    })
    const summary = await getReputationSummary(devnet.publicClient, {
      registry: registries.reputationRegistry,
      agentId,
      clients: [buyer.address],
      tag1: 'x402',
    })
    expect(summary).toEqual({ count: 1n, value: 100n, valueDecimals: 0, average: '100' })

    // Anyone can check the proof: the file's hash is on-chain, its txHash is the settlement.
    const read = await readFeedback(devnet.publicClient, {
      registry: registries.reputationRegistry,
      agentId,
      clientAddress: buyer.address,
      feedbackIndex: feedback.feedbackIndex,
      includeFile: true,
    })
    expect(read.hashMatches).toBe(true)
    expect(read.file?.proofOfPayment).toEqual({
      fromAddress: buyer.address,
      toAddress: payout.address,
      chainId: String(devnet.chainId),
      txHash: receipt.transaction,
    })
  })

  test('a 402 whose payTo is not the registered wallet is refused before anything is signed', async () => {
    const buyer = devnet.accounts[1]!
    const signed = signatures
    const sent = received.length
    const before = await balanceOf(buyer.address)
    const error = await buyerFetch()(`${sellerUrl}/rogue`).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PolicyRefusedError)
    expect((error as PolicyRefusedError).guard).toBe('identity')
    const mismatch = (error as PolicyRefusedError).walk(
      (e) => e instanceof PayeeMismatchError,
    ) as PayeeMismatchError | null
    expect(mismatch).toBeInstanceOf(PayeeMismatchError)
    expect(mismatch!.reason).toBe('mismatch')
    expect(mismatch!.payTo.toLowerCase()).toBe(devnet.accounts[0]!.address.toLowerCase())
    expect(mismatch!.agentWallet).toBe(payout.address)
    expect(signatures).toBe(signed)
    expect(received).toHaveLength(sent)
    expect(await balanceOf(buyer.address)).toBe(before)
  })
})
