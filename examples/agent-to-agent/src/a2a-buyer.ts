// The buyer agent over A2A: finds a seller whose registration lists an A2A card, checks its domain,
// reads the card, pays CALLS tasks of its `forecast` skill only to the seller's verified wallet
// and within a budget, then leaves feedback citing one payment's settlement transaction.
import { Role, type Task } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import { wrapA2AClient } from '@tollgate/a2a/client'
import {
  createPayeeVerifier,
  findAgents,
  getReputationSummary,
  giveFeedbackForPayment,
  resolveAgent,
  verifyAgentDomain,
} from '@tollgate/identity'
import { PolicyRefusedError, type Receipt } from '@tollgate/payer'
import { createWalletClient, http } from 'viem'
import * as settings from './buyerSettings.js'

const { fail, env, rpcUrl, identityRegistry, reputationRegistry, calls, fetchOptions } = settings
const { publicClient, token, account, usd } = settings

// #region find
const found = await findAgents(publicClient, {
  registry: identityRegistry,
  filter: { service: 'A2A', x402Support: true, active: true },
  fetchOptions,
})
if (found.length === 0) fail('no active x402 agent with an A2A card in the registry.')
const agent = await resolveAgent(publicClient, {
  registry: identityRegistry,
  agentId: found.at(-1)!.agentId, // the newest
  fetchOptions,
})
const cardUrl = agent.a2a!.endpoint
// The card's host must claim the agent (its /.well-known/agent-registration.json).
const domain = await verifyAgentDomain({ agent, endpoint: cardUrl, fetchOptions })
if (!domain.verified) fail(`the agent's domain did not verify (${domain.reason}).`)
// #endregion find
console.log(
  `found agent #${agent.agentId}: ${cardUrl}, domain verified, wallet ${agent.agentWallet}`,
)

// #region pay
const client = await new ClientFactory().createFromUrl(cardUrl, '')
const paying = wrapA2AClient(client, {
  account,
  assets: [token],
  policy: {
    networks: [token.network],
    assets: [{ network: token.network, address: token.address }],
    maxPerRequest: env('MAX_PER_REQUEST') ?? '$0.02',
    budgets: [{ scope: 'payee', limit: env('BUDGET') ?? '$0.05', windowMs: 86_400_000 }],
    // A task naming an agent is paid only to that agent's verified wallet, on a domain it claims;
    // a task naming none is not paid at all.
    verifyPayee: createPayeeVerifier(publicClient, { fetchOptions, verifyDomain: true }),
    requireIdentity: true,
  },
})
const paid: { receipt: Receipt; task: Task }[] = []
for (let call = 1; call <= calls; call++) {
  const message = {
    messageId: crypto.randomUUID(),
    taskId: '',
    contextId: '',
    role: Role.ROLE_USER,
    parts: [
      {
        content: { $case: 'text' as const, value: 'Forecast for Oslo' },
        metadata: undefined,
        filename: '',
        mediaType: 'text/plain',
      },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  }
  try {
    const { result, receipt } = await paying.sendMessage({
      tenant: '',
      message,
      configuration: undefined,
      metadata: undefined,
    })
    const task = result as Task
    if (receipt?.status === 'settled') paid.push({ receipt, task })
    // "paid" only for a settled receipt: a refused or unconfirmed payment says so.
    const outcome = !receipt
      ? 'free'
      : receipt.status === 'settled'
        ? `paid ${usd(receipt.amount)} in ${receipt.transaction}`
        : receipt.status === 'refused'
          ? `not paid: refused, ${usd(receipt.amount)} not charged`
          : `unknown whether paid: ${usd(receipt.amount)} may still be charged`
    console.log(`call ${call}: task ${task.id} ${stateName(task)}, ${outcome}`)
  } catch (error) {
    if (!(error instanceof PolicyRefusedError)) throw error
    console.log(`call ${call}: refused (${error.guard}), nothing signed: ${error.shortMessage}`)
  }
}
// #endregion pay

// #region feedback
const proof = paid.at(-1)
if (proof) {
  const walletClient = createWalletClient({
    account,
    chain: publicClient.chain,
    transport: http(rpcUrl),
  })
  const feedback = await giveFeedbackForPayment(walletClient, {
    registry: reputationRegistry,
    agentId: agent.agentId,
    receipt: proof.receipt, // its settlement transaction becomes the feedback's proofOfPayment
    value: '95',
    tag1: 'x402',
    endpoint: cardUrl,
    feedback: {
      a2a: { skills: ['forecast'], taskId: proof.task.id, contextId: proof.task.contextId },
    },
  })
  const summary = await getReputationSummary(publicClient, {
    registry: reputationRegistry,
    agentId: agent.agentId,
    clients: [account.address],
    tag1: 'x402',
  })
  console.log(`feedback #${feedback.feedbackIndex} cites payment ${feedback.proofOfPayment.txHash}`)
  console.log(
    `agent #${agent.agentId} from this buyer: reviews ${summary.count}, average ${summary.value}`,
  )
}
// #endregion feedback

function stateName(task: Task): string {
  const names: Record<number, string> = {
    3: 'completed',
    4: 'failed',
    5: 'canceled',
    6: 'input-required',
  }
  return names[task.status?.state ?? 0] ?? 'working'
}
