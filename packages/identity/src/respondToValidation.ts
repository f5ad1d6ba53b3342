import { validationRegistryAbi } from '@tollgate/contracts'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import { type Address, type Hash, type Hex, zeroHash } from 'viem'
import { writeContract } from 'viem/actions'
import {
  InvalidValidationResponseError,
  type InvalidValidationResponseErrorType,
  type TransactionRevertedErrorType,
} from './errors.js'
import {
  type AccountParameter,
  requireAccount,
  type WriteClient,
  waitForSuccess,
} from './transact.js'

export type RespondToValidationParameters = AccountParameter & {
  /** The Validation Registry's address. */
  registry: Address
  requestHash: Hex
  /** 0 (failed) to 100 (passed); intermediate values for spectrum outcomes. */
  response: number
  /** @default '' */
  responseURI?: string | undefined
  /** @default zero */
  responseHash?: Hex | undefined
  /** Tells repeated responses apart (e.g. `soft-finality`, `hard-finality`). @default '' */
  tag?: string | undefined
}

export type RespondToValidationReturnType = { transactionHash: Hash }

export type RespondToValidationErrorType =
  | AccountNotFoundErrorType
  | InvalidValidationResponseErrorType
  | TransactionRevertedErrorType

/** Answers a validation request as its named validator (`validationResponse`; may repeat). */
export async function respondToValidation(
  client: WriteClient,
  parameters: RespondToValidationParameters,
): Promise<RespondToValidationReturnType> {
  const { response, responseURI = '', responseHash = zeroHash, tag = '' } = parameters
  if (!Number.isInteger(response) || response < 0 || response > 100)
    throw new InvalidValidationResponseError({ response })
  const account = requireAccount(client, parameters.account, 'respondToValidation')
  const hash = await writeContract(client, {
    account,
    chain: client.chain ?? null,
    address: parameters.registry,
    abi: validationRegistryAbi,
    functionName: 'validationResponse',
    args: [parameters.requestHash, response, responseURI, responseHash, tag],
  })
  await waitForSuccess(client, hash, 'validationResponse')
  return { transactionHash: hash }
}
