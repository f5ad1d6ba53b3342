import { reputationRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import {
  type Address,
  getAddress,
  type Hash,
  type Hex,
  keccak256,
  parseEventLogs,
  stringToBytes,
  zeroHash,
} from 'viem'
import { readContract, writeContract } from 'viem/actions'
import { type AgentIdInput, formatAgentRegistry, getClientChainId } from './agentRegistry.js'
import {
  type InvalidFeedbackFileErrorType,
  type InvalidFeedbackValueErrorType,
  TransactionRevertedError,
  type TransactionRevertedErrorType,
  type UnsupportedPublishTargetErrorType,
} from './errors.js'
import {
  type FeedbackFile,
  type ProofOfPaymentInput,
  toJsonInteger,
  validateFeedbackFile,
} from './feedbackFile.js'
import { checkFeedbackValue, toFeedbackValue } from './feedbackValue.js'
import { type Publish, publishDocument } from './publish.js'
import {
  type AccountParameter,
  requireAccount,
  type WriteClient,
  waitForSuccess,
} from './transact.js'

/** What `publish.upload` receives for a feedback file. */
export type FeedbackDocument = { file: FeedbackFile; json: string; feedbackHash: Hash }

export type GiveFeedbackParameters = AccountParameter & {
  /** The Reputation Registry's address. */
  registry: Address
  agentId: AgentIdInput
  /**
   * The rating: a decimal string (`'99.77'`, exact) or an integer `bigint` scaled by
   * `valueDecimals`.
   */
  value: string | bigint
  /** Decimals of a `bigint` value (ignored for a string, which carries its own). @default 0 */
  valueDecimals?: number | undefined
  tag1?: string | undefined
  tag2?: string | undefined
  /** The agent endpoint the feedback is about. */
  endpoint?: string | undefined
  /**
   * Fields of the off-chain feedback file besides the MUST ones: `proofOfPayment` (the x402
   * settlement), `mcp`, `a2a`, `oasf`, anything else.
   */
  feedback?:
    | ({ proofOfPayment?: ProofOfPaymentInput | undefined } & Record<string, unknown>)
    | undefined
  /**
   * Where the feedback file goes; `none` sends no file (empty URI, zero hash).
   * @default { kind: 'data' }
   */
  publish?: Publish<FeedbackDocument> | { kind: 'none' } | undefined
  /** @default now */
  createdAt?: Date | undefined
}

export type GiveFeedbackReturnType = {
  feedbackIndex: bigint
  feedbackURI: string
  /** keccak256 of the file's bytes (`json`); zero without a file. */
  feedbackHash: Hash
  file: FeedbackFile | undefined
  json: string | undefined
  transactionHash: Hash
}

export type GiveFeedbackErrorType =
  | AccountNotFoundErrorType
  | InvalidFeedbackFileErrorType
  | InvalidFeedbackValueErrorType
  | TransactionRevertedErrorType
  | UnsupportedPublishTargetErrorType

/**
 * Gives feedback on an agent from the client's account (never its owner or operator): writes the
 * off-chain feedback file (MUST fields filled in: `agentRegistry`, `agentId`, CAIP-10
 * `clientAddress`, `createdAt`, `value`, `valueDecimals`), publishes it, and records the value,
 * tags, endpoint, URI and the file's keccak256 on-chain.
 *
 * @example
 * import { giveFeedback } from '@tollgate/identity'
 *
 * await giveFeedback(buyerWalletClient, {
 *   registry: reputationRegistry,
 *   agentId,
 *   value: '95',
 *   tag1: 'x402',
 *   feedback: {
 *     proofOfPayment: { fromAddress: buyer, toAddress: payTo, chainId: 8453, txHash: receipt.transaction },
 *   },
 * })
 */
export async function giveFeedback(
  client: WriteClient,
  parameters: GiveFeedbackParameters,
): Promise<GiveFeedbackReturnType> {
  const { registry, tag1 = '', tag2 = '', endpoint = '', publish = { kind: 'data' } } = parameters
  const account = requireAccount(client, parameters.account, 'giveFeedback')
  const agentId = parseAgentId(parameters.agentId)
  const { value, valueDecimals } =
    typeof parameters.value === 'string'
      ? toFeedbackValue(parameters.value)
      : checkFeedbackValue({
          value: parameters.value,
          valueDecimals: parameters.valueDecimals ?? 0,
        })

  let feedbackURI = ''
  let feedbackHash: Hash = zeroHash
  let file: FeedbackFile | undefined
  let json: string | undefined
  if (publish.kind !== 'none') {
    const [chainId, identityRegistry] = await Promise.all([
      getClientChainId(client),
      readContract(client, {
        address: registry,
        abi: reputationRegistryAbi,
        functionName: 'getIdentityRegistry',
      }),
    ])
    const { proofOfPayment, ...extra } = parameters.feedback ?? {}
    file = validateFeedbackFile({
      ...extra,
      agentRegistry: formatAgentRegistry({ chainId, address: identityRegistry }),
      agentId: toJsonInteger(agentId),
      clientAddress: `eip155:${chainId}:${getAddress(account.address)}`,
      createdAt: (parameters.createdAt ?? new Date()).toISOString(),
      value: toJsonInteger(value),
      valueDecimals,
      ...(tag1 ? { tag1 } : {}),
      ...(tag2 ? { tag2 } : {}),
      ...(endpoint ? { endpoint } : {}),
      ...(proofOfPayment
        ? { proofOfPayment: { ...proofOfPayment, chainId: String(proofOfPayment.chainId) } }
        : {}),
    })
    json = JSON.stringify(file)
    // The hash covers the exact bytes published, so a reader can check what it fetched.
    feedbackHash = keccak256(stringToBytes(json))
    feedbackURI = await publishDocument(publish, json, { file, json, feedbackHash })
  }

  const hash = await writeContract(client, {
    account,
    chain: client.chain ?? null,
    address: registry,
    abi: reputationRegistryAbi,
    functionName: 'giveFeedback',
    args: [agentId, value, valueDecimals, tag1, tag2, endpoint, feedbackURI, feedbackHash as Hex],
  })
  const receipt = await waitForSuccess(client, hash, 'giveFeedback')
  const [event] = parseEventLogs({
    abi: reputationRegistryAbi,
    eventName: 'NewFeedback',
    logs: receipt.logs.filter((log) => log.address.toLowerCase() === registry.toLowerCase()),
  })
  if (!event)
    throw new TransactionRevertedError({
      functionName: 'giveFeedback',
      hash,
      reason: 'missing_event',
    })
  return {
    feedbackIndex: event.args.feedbackIndex,
    feedbackURI,
    feedbackHash,
    file,
    json,
    transactionHash: hash,
  }
}
