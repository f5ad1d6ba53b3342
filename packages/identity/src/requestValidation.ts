import { validationRegistryAbi } from '@tollgate/contracts'
import { parseAgentId } from '@tollgate/core'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import { type Address, type Hash, type Hex, keccak256, stringToBytes } from 'viem'
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

/** What `publish.upload` receives for a validation request. */
export type ValidationRequestDocument = {
  request: Record<string, unknown>
  json: string
  requestHash: Hash
}

export type RequestValidationParameters = AccountParameter & {
  /** The Validation Registry's address. */
  registry: Address
  /** The validator asked (only it may respond). */
  validator: Address
  agentId: AgentIdInput
} & (
    | {
        /** The request payload; its keccak256 is the request's id. */
        request: Record<string, unknown>
        /** @default { kind: 'data' } */
        publish?: Publish<ValidationRequestDocument> | undefined
        requestURI?: undefined
        requestHash?: undefined
      }
    | {
        /** A request already published, and the keccak256 of its content (its id). */
        requestURI: string
        requestHash: Hex
        request?: undefined
        publish?: undefined
      }
  )

export type RequestValidationReturnType = {
  requestHash: Hash
  requestURI: string
  transactionHash: Hash
}

export type RequestValidationErrorType =
  | AccountNotFoundErrorType
  | TransactionRevertedErrorType
  | UnsupportedPublishTargetErrorType

/**
 * Asks a validator to validate the agent's work (`validationRequest`; owner or operator only).
 * The request hash is the request's id: read its status with `getValidationStatus`.
 */
export async function requestValidation(
  client: WriteClient,
  parameters: RequestValidationParameters,
): Promise<RequestValidationReturnType> {
  const account = requireAccount(client, parameters.account, 'requestValidation')
  let requestURI: string
  let requestHash: Hash
  if (parameters.request !== undefined) {
    const json = JSON.stringify(parameters.request)
    requestHash = keccak256(stringToBytes(json))
    requestURI = await publishDocument(parameters.publish ?? { kind: 'data' }, json, {
      request: parameters.request,
      json,
      requestHash,
    })
  } else {
    requestURI = parameters.requestURI
    requestHash = parameters.requestHash
  }
  const hash = await writeContract(client, {
    account,
    chain: client.chain ?? null,
    address: parameters.registry,
    abi: validationRegistryAbi,
    functionName: 'validationRequest',
    args: [parameters.validator, parseAgentId(parameters.agentId), requestURI, requestHash],
  })
  await waitForSuccess(client, hash, 'validationRequest')
  return { requestHash, requestURI, transactionHash: hash }
}
