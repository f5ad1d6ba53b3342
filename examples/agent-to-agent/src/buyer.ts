// The buyer agent: finds a seller in the ERC-8004 identity registry, checks its domain, pays for
// CALLS calls only to the seller's verified wallet and within a budget, then leaves feedback on the
// seller that cites one payment's settlement transaction as proof.
import { getReceipt, PolicyRefusedError, type Receipt, wrapFetch } from '@tollgate/fetch'
import {
  createPayeeVerifier,
  findAgents,
  getReputationSummary,
  giveFeedbackForPayment,
  resolveAgent,
  verifyAgentDomain,
} from '@tollgate/identity'
import { createWalletClient, http } from 'viem'
import * as settings from './buyerSettings.js'

const { fail, env, rpcUrl, identityRegistry, reputationRegistry, calls, fetchOptions } = settings
const { publicClient, token, account, usd } = settings

// #region find
const found = await findAgents(publicClient, {
  registry: identityRegistry,
  filter: { service: 'web', x402Support: true, active: true },
  fetchOptions,
})
if (found.length === 0) fail('no active x402 agent with a web service in the registry.')
const agent = await resolveAgent(publicClient, {
  registry: identityRegistry,
  agentId: found.at(-1)!.agentId, // the newest
  fetchOptions,
})
const endpoint = agent.getService('web')!.endpoint
// The endpoint's host must claim the agent (its /.well-known/agent-registration.json).
const domain = await verifyAgentDomain({ agent, endpoint, fetchOptions })
if (!domain.verified) fail(`the agent's domain did not verify (${domain.reason}).`)
// #endregion find
console.log(
  `found agent #${agent.agentId}: ${endpoint}, domain verified, wallet ${agent.agentWallet}`,
)

// #region pay
const pay = wrapFetch(fetch, {
  account,
  assets: [token],
  policy: {
    networks: [token.network],
    assets: [{ network: token.network, address: token.address }],
    maxPerRequest: env('MAX_PER_REQUEST') ?? '$0.02',
    budgets: [{ scope: 'payee', limit: env('BUDGET') ?? '$0.05', windowMs: 86_400_000 }],
    // A 402 naming an agent is paid only to that agent's verified wallet, on a domain it claims;
    // a 402 naming none is not paid at all.
    verifyPayee: createPayeeVerifier(publicClient, { fetchOptions, verifyDomain: true }),
    requireIdentity: true,
  },
})
const receipts: Receipt[] = []
for (let call = 1; call <= calls; call++) {
  try {
    const response = await pay(endpoint)
    const receipt = getReceipt(response)
    if (receipt?.status === 'settled') receipts.push(receipt)
    // "paid" only for a settled receipt: a refused or unconfirmed payment says so.
    const outcome = !receipt
      ? 'free'
      : receipt.status === 'settled'
        ? `paid ${usd(receipt.amount)} in ${receipt.transaction}`
        : receipt.status === 'refused'
          ? `not paid: refused, ${usd(receipt.amount)} not charged`
          : `unknown whether paid: ${usd(receipt.amount)} may still be charged`
    console.log(`call ${call}: ${response.status} ${outcome}`)
  } catch (error) {
    if (!(error instanceof PolicyRefusedError)) throw error
    console.log(`call ${call}: refused (${error.guard}), nothing signed: ${error.shortMessage}`)
  }
}
// #endregion pay

// #region feedback
const proof = receipts.at(-1)
if (proof) {
  const walletClient = createWalletClient({
    account,
    chain: publicClient.chain,
    transport: http(rpcUrl),
  })
  const feedback = await giveFeedbackForPayment(walletClient, {
    registry: reputationRegistry,
    agentId: agent.agentId,
    receipt: proof, // its settlement transaction becomes the feedback's proofOfPayment
    value: '95',
    tag1: 'x402',
    endpoint,
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
