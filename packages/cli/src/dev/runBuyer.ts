import { testUsdcAbi } from '@tollgate/contracts'
import { PolicyRefusedError, type Receipt } from '@tollgate/fetch'
import {
  createPayeeVerifier,
  findAgents,
  getReputationSummary,
  giveFeedbackForPayment,
  type ResolvedAgent,
  resolveAgent,
  verifyAgentDomain,
} from '@tollgate/identity'
import type { Address, Hash } from 'viem'
import { DevScenarioError } from '../errors.js'
import { type DevPay, type DevPolicy, payOverA2A, payOverHttp } from './payers.js'
import type { DevStack } from './startDevStack.js'

/** One call the buyer made. */
export type DevCall = {
  call: number
  /**
   * The HTTP status (over A2A, the task's state: `completed`), or `refused` when the budget
   * refused it before anything was signed.
   */
  status: number | string
  /** Atomic units of test USDC paid; 0n when nothing was paid. */
  amount: bigint
  transaction: Hash | undefined
  gasUsed: bigint | undefined
  blockNumber: bigint | undefined
  /** The refusing rule (`budget`) for a refused call. */
  refusedBy: string | undefined
}

/** A balance read before the calls and after the feedback. */
export type DevBalance = {
  account: 'buyer' | 'seller' | 'facilitator'
  address: Address
  /** `USDC` (atomic units, 6 decimals) or `ETH` (wei). */
  unit: 'USDC' | 'ETH'
  before: bigint
  after: bigint
}

export type DevReport = {
  network: string
  agentId: bigint
  agentRegistry: string
  /** The paid API, or over A2A the agent card's URL. */
  endpoint: string
  /** The seller's verified wallet, the only payee the buyer accepts. */
  agentWallet: Address
  domainVerified: boolean
  maxPerRequest: string
  budget: string
  calls: DevCall[]
  balances: DevBalance[]
  feedback: {
    feedbackIndex: bigint
    value: string
    transaction: Hash
    gasUsed: bigint
    /** The settlement transaction the feedback cites as its proof of payment. */
    proofOfPayment: Hash
    reputation: { count: bigint; average: string }
  }
}

/** How many calls the buyer makes, and the budget that lets all but the last through. */
export const devCalls = 4
export const devBudget = '$0.03'
const maxPerRequest = '$0.02'
// Loopback http stands in for the https an agent would serve in production.
const fetchOptions = { allowHttp: true } as const

/**
 * The buyer agent: finds the seller in the identity registry, resolves it, checks its domain and
 * wallet, calls it `devCalls` times within `devBudget` (the last call is refused by the budget
 * before anything is signed) and leaves feedback citing the last settlement transaction. With
 * `a2a`, it finds the seller's A2A card and each call is a task paid inside the task.
 */
export async function runBuyer(
  stack: DevStack,
  { progress, a2a = false }: { progress(text: string): void; a2a?: boolean | undefined },
): Promise<DevReport> {
  const { devnet, buyer } = stack
  const { agent, endpoint, agentWallet } = await findSeller(stack, a2a ? 'A2A' : 'web')
  progress(
    `buyer found agent #${agent.agentId}: ${endpoint}, domain verified, pays only ${agentWallet}`,
  )
  const policy: DevPolicy = {
    assets: [{ network: devnet.network, address: devnet.usdc.address }],
    maxPerRequest,
    budgets: [{ scope: 'host', limit: devBudget, windowMs: 86_400_000 }],
    verifyPayee: createPayeeVerifier(devnet.publicClient, { fetchOptions, verifyDomain: true }),
    requireIdentity: true,
  }
  const pay = a2a ? await payOverA2A(stack, endpoint, policy) : payOverHttp(stack, endpoint, policy)
  progress(`buyer ${buyer.address}: at most ${maxPerRequest} a call, ${devBudget} for this host`)
  const before = await readBalances(stack)
  const { calls, receipts } = await makeCalls(stack, pay, progress)
  const feedback = await leaveFeedback(stack, { agent, endpoint, receipts, a2a })
  progress(
    `buyer's feedback #${feedback.feedbackIndex} (95/100) cites payment ${feedback.proofOfPayment}`,
  )
  const after = await readBalances(stack)
  return {
    network: devnet.network,
    agentId: agent.agentId,
    agentRegistry: agent.agentRegistry,
    endpoint,
    agentWallet,
    domainVerified: true,
    maxPerRequest,
    budget: devBudget,
    calls,
    balances: before.map(({ amount, ...account }, index) => ({
      ...account,
      before: amount,
      after: after[index]!.amount,
    })),
    feedback,
  }
}

type Seller = { agent: ResolvedAgent; endpoint: string; agentWallet: Address }

/**
 * The one x402 agent in the registry with a `service` endpoint, resolved, its domain verified and
 * its payment wallet known; or the step that failed.
 */
async function findSeller(stack: DevStack, service: 'A2A' | 'web'): Promise<Seller> {
  const { devnet, registries } = stack
  const found = await findAgents(devnet.publicClient, {
    registry: registries.identityRegistry,
    filter: { service, x402Support: true, active: true },
    fetchOptions,
  })
  if (found.length !== 1)
    throw new DevScenarioError({
      step: 'find',
      message: `Expected one x402 agent, found ${found.length}.`,
    })
  const agent = await resolveAgent(devnet.publicClient, {
    registry: stack.agent.agentRegistry,
    agentId: found[0]!.agentId,
    fetchOptions,
  })
  const endpoint = agent.getService(service)?.endpoint
  if (!endpoint)
    throw new DevScenarioError({
      step: 'service',
      message: `Agent #${agent.agentId} lists no ${service} service.`,
    })
  const domain = await verifyAgentDomain({ agent, endpoint, fetchOptions })
  if (!domain.verified)
    throw new DevScenarioError({
      step: 'domain',
      message: `The seller's domain did not verify (${domain.reason}).`,
    })
  if (!agent.agentWallet)
    throw new DevScenarioError({
      step: 'wallet',
      message: `Agent #${agent.agentId} has no verified wallet.`,
    })
  return { agent, endpoint, agentWallet: agent.agentWallet }
}

/** The buyer's `devCalls` calls: each paid (with its receipt) or refused by the policy. */
async function makeCalls(
  stack: DevStack,
  pay: DevPay,
  progress: (text: string) => void,
): Promise<{ calls: DevCall[]; receipts: Receipt[] }> {
  const calls: DevCall[] = []
  const receipts: Receipt[] = []
  for (let call = 1; call <= devCalls; call++) {
    try {
      const { status, receipt } = await pay()
      if (receipt) receipts.push(receipt)
      const transaction = receipt?.transaction as Hash | undefined
      const mined = transaction
        ? await stack.devnet.publicClient.getTransactionReceipt({ hash: transaction })
        : undefined
      calls.push({
        call,
        status,
        amount: receipt?.status === 'settled' ? receipt.amount : 0n,
        transaction,
        gasUsed: mined?.gasUsed,
        blockNumber: mined?.blockNumber,
        refusedBy: undefined,
      })
      progress(`call ${call}: ${status}${receipt ? `, ${paymentNote(receipt)}` : ''}`)
    } catch (error) {
      if (!(error instanceof PolicyRefusedError)) throw error
      calls.push({
        call,
        status: 'refused',
        amount: 0n,
        transaction: undefined,
        gasUsed: undefined,
        blockNumber: undefined,
        refusedBy: error.guard,
      })
      progress(`call ${call}: refused by the ${error.guard} rule, nothing signed`)
    }
  }
  return { calls, receipts }
}

/** Feedback backed by a proof of payment: the settlement transaction of the last paid call. */
async function leaveFeedback(
  stack: DevStack,
  {
    agent,
    endpoint,
    receipts,
    a2a,
  }: { agent: ResolvedAgent; endpoint: string; receipts: Receipt[]; a2a: boolean },
): Promise<DevReport['feedback']> {
  const { devnet, registries, buyer } = stack
  const proof = receipts.filter((receipt) => receipt.status === 'settled').at(-1)
  if (!proof)
    throw new DevScenarioError({ step: 'settlement', message: 'No call was paid and settled.' })
  const feedback = await giveFeedbackForPayment(devnet.walletClient(buyer.account), {
    registry: registries.reputationRegistry,
    agentId: agent.agentId,
    receipt: proof,
    value: '95',
    tag1: 'x402',
    endpoint,
    ...(a2a ? { feedback: { a2a: { skills: ['forecast'] } } } : {}),
  })
  const mined = await devnet.publicClient.getTransactionReceipt({
    hash: feedback.transactionHash,
  })
  const summary = await getReputationSummary(devnet.publicClient, {
    registry: registries.reputationRegistry,
    agentId: agent.agentId,
    clients: [buyer.address],
    tag1: 'x402',
  })
  return {
    feedbackIndex: feedback.feedbackIndex,
    value: '95',
    transaction: feedback.transactionHash,
    gasUsed: mined.gasUsed,
    proofOfPayment: feedback.proofOfPayment.txHash as Hash,
    reputation: { count: summary.count, average: summary.average },
  }
}

/** One balance the report shows, read once. */
type BalanceReading = Omit<DevBalance, 'before' | 'after'> & { amount: bigint }

/** The buyer's and seller's test USDC and the facilitator's ether, in the report's order. */
async function readBalances(stack: DevStack): Promise<BalanceReading[]> {
  const { devnet, buyer, seller, settler } = stack
  const readUsdc = (address: Address) =>
    devnet.publicClient.readContract({
      address: devnet.usdc.address,
      abi: testUsdcAbi,
      functionName: 'balanceOf',
      args: [address],
    })
  const [buyerUsdc, sellerUsdc, settlerEth] = await Promise.all([
    readUsdc(buyer.address),
    readUsdc(seller.address),
    devnet.publicClient.getBalance({ address: settler.address }),
  ])
  return [
    { account: 'buyer', address: buyer.address, unit: 'USDC', amount: buyerUsdc },
    { account: 'seller', address: seller.address, unit: 'USDC', amount: sellerUsdc },
    { account: 'facilitator', address: settler.address, unit: 'ETH', amount: settlerEth },
  ]
}

/** What a call's payment came to: "settled" only for a settled receipt, a hash proves nothing. */
function paymentNote(receipt: Receipt): string {
  if (receipt.status === 'settled') return `settled in ${receipt.transaction ?? '(no transaction)'}`
  return receipt.status === 'refused' ? 'refused: not paid' : 'indeterminate: unknown whether paid'
}
