import { reputationRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import { type Address, type Hash, type Hex, keccak256, stringToBytes, zeroHash } from 'viem'
import { writeContract } from 'viem/actions'
import type { AgentIdInput } from './agentRegistry.js'
import type { TransactionRevertedErrorType, UnsupportedPublishTargetErrorType } from './errors.js'
import { type Publish, publishDocument } from './publish.js'
import {
  type AccountParameter,
  requireAccount,
  type WriteClient,
  waitForSuccess,
} from './transact.js'

/** What `publish.upload` receives for a response document. */
export type ResponseDocument = {
  response: Record<string, unknown>
  json: string
  responseHash: Hash
}

export type AppendResponseParameters = AccountParameter & {
  /** The Reputation Registry's address. */
  registry: Address
  agentId: AgentIdInput
  /** The client whose feedback is answered. */
  clientAddress: Address
  feedbackIndex: bigint
} & (
    | {
        /** A response already published. */
        responseURI: string
        /** keccak256 of its content. @default zero (e.g. content-addressed IPFS) */
        responseHash?: Hex | undefined
        response?: undefined
        publish?: undefined
      }
    | {
        /** A response document (e.g. a refund's proof) to publish; its keccak256 goes on-chain. */
        response: Record<string, unknown>
        /** @default { kind: 'data' } */
        publish?: Publish<ResponseDocument> | undefined
        responseURI?: undefined
        responseHash?: undefined
      }
  )

export type AppendResponseReturnType = {
  responseURI: string
  responseHash: Hash
  transactionHash: Hash
}

export type AppendResponseErrorType =
  | AccountNotFoundErrorType
  | TransactionRevertedErrorType
  | UnsupportedPublishTargetErrorType

/**
 * Appends a response to a feedback entry (anyone may: the agent refuting it, an auditor tagging
 * it as spam, a client proving a refund).
 */
export async function appendResponse(
  client: WriteClient,
  parameters: AppendResponseParameters,
): Promise<AppendResponseReturnType> {
  const account = requireAccount(client, parameters.account, 'appendResponse')
  let responseURI: string
  let responseHash: Hash
  if (parameters.response !== undefined) {
    const json = JSON.stringify(parameters.response)
    responseHash = keccak256(stringToBytes(json))
    responseURI = await publishDocument(parameters.publish ?? { kind: 'data' }, json, {
      response: parameters.response,
      json,
      responseHash,
    })
  } else {
    responseURI = parameters.responseURI
    responseHash = parameters.responseHash ?? zeroHash
  }
  const hash = await writeContract(client, {
    account,
    chain: client.chain ?? null,
    address: parameters.registry,
    abi: reputationRegistryAbi,
    functionName: 'appendResponse',
    args: [
      parseAgentId(parameters.agentId),
      parameters.clientAddress,
      parameters.feedbackIndex,
      responseURI,
      responseHash,
    ],
  })
  await waitForSuccess(client, hash, 'appendResponse')
  return { responseURI, responseHash, transactionHash: hash }
}
