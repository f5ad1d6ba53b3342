import { reputationRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import { type Address, type Client, getAbiItem, type Hash, keccak256, zeroHash } from 'viem'
import { getBlockNumber, getLogs, readContract } from 'viem/actions'
import type { AgentIdInput } from './agentRegistry.js'
import type { FetchDocumentErrorType, InvalidFeedbackFileErrorType } from './errors.js'
import { type FeedbackFile, validateFeedbackFile } from './feedbackFile.js'
import { fromFeedbackValue } from './feedbackValue.js'
import { type FetchDocumentParameters, fetchDocument } from './fetchDocument.js'
import { scanBlocks } from './scanBlocks.js'

export type ReadFeedbackParameters = {
  /** The Reputation Registry's address. */
  registry: Address
  agentId: AgentIdInput
  clientAddress: Address
  /** From 1. */
  feedbackIndex: bigint
  /**
   * Also find the `NewFeedback` event (endpoint, URI, hash) and fetch the feedback file, checking
   * its keccak256 against the on-chain hash.
   * @default false
   */
  includeFile?: boolean | undefined
  /** First block searched for the event. @default 0n */
  fromBlock?: bigint | undefined
  /** @default 10_000n */
  chunkSize?: bigint | undefined
  fetchOptions?: FetchDocumentParameters | undefined
}

/** The part of a feedback entry only its event carries. */
export type FeedbackEvent = {
  endpoint: string
  feedbackURI: string
  feedbackHash: Hash
  transactionHash: Hash
  blockNumber: bigint
}

export type ReadFeedbackReturnType = {
  value: bigint
  valueDecimals: number
  /** `value` as an exact decimal string. */
  formatted: string
  tag1: string
  tag2: string
  isRevoked: boolean
  /** With `includeFile`: the event, if found in the scanned blocks. */
  event?: FeedbackEvent | undefined
  /** With `includeFile`: the feedback file, when the entry has one. */
  file?: FeedbackFile | undefined
  /** With `includeFile`: whether the fetched bytes hash to `feedbackHash` (`undefined` if zero). */
  hashMatches?: boolean | undefined
}

export type ReadFeedbackErrorType = FetchDocumentErrorType | InvalidFeedbackFileErrorType

/**
 * Reads one feedback entry; with `includeFile`, also its event and its off-chain file (e.g. to
 * check the `proofOfPayment` it carries).
 */
export async function readFeedback(
  client: Client,
  parameters: ReadFeedbackParameters,
): Promise<ReadFeedbackReturnType> {
  const { registry, clientAddress, feedbackIndex, includeFile = false } = parameters
  const agentId = parseAgentId(parameters.agentId)
  const [value, valueDecimals, tag1, tag2, isRevoked] = await readContract(client, {
    address: registry,
    abi: reputationRegistryAbi,
    functionName: 'readFeedback',
    args: [agentId, clientAddress, feedbackIndex],
  })
  const entry = {
    value,
    valueDecimals,
    formatted: fromFeedbackValue({ value, valueDecimals }),
    tag1,
    tag2,
    isRevoked,
  }
  if (!includeFile) return entry

  const toBlock = await getBlockNumber(client, { cacheTime: 0 })
  const event = getAbiItem({ abi: reputationRegistryAbi, name: 'NewFeedback' })
  const logs = await scanBlocks(
    { fromBlock: parameters.fromBlock ?? 0n, toBlock, chunkSize: parameters.chunkSize ?? 10_000n },
    (from, to) =>
      getLogs(client, {
        address: registry,
        event,
        args: { agentId, clientAddress },
        fromBlock: from,
        toBlock: to,
      }),
  )
  const log = logs.find((l) => l.args.feedbackIndex === feedbackIndex)
  if (!log) return { ...entry, event: undefined }
  const found: FeedbackEvent = {
    endpoint: log.args.endpoint ?? '',
    feedbackURI: log.args.feedbackURI ?? '',
    feedbackHash: log.args.feedbackHash ?? zeroHash,
    transactionHash: log.transactionHash,
    blockNumber: log.blockNumber,
  }
  if (found.feedbackURI === '') return { ...entry, event: found }
  const { bytes } = await fetchDocument(found.feedbackURI, parameters.fetchOptions)
  const hashMatches =
    found.feedbackHash === zeroHash ? undefined : keccak256(bytes) === found.feedbackHash
  let json: unknown
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    json = undefined
  }
  return { ...entry, event: found, file: validateFeedbackFile(json), hashMatches }
}
