import { validationRegistryAbi } from '@tollgate/contracts'
import {
  type Address,
  type Client,
  ContractFunctionRevertedError,
  type Hash,
  type Hex,
  BaseError as ViemBaseError,
} from 'viem'
import { readContract } from 'viem/actions'
import {
  ValidationRequestNotFoundError,
  type ValidationRequestNotFoundErrorType,
} from './errors.js'

export type GetValidationStatusParameters = {
  /** The Validation Registry's address. */
  registry: Address
  requestHash: Hex
}

export type GetValidationStatusReturnType = {
  validatorAddress: Address
  agentId: bigint
  /** 0..100; 0 also before any response (compare `lastUpdate` with the request's time). */
  response: number
  responseHash: Hash
  tag: string
  /** Unix seconds of the request or of the latest response. */
  lastUpdate: bigint
}

export type GetValidationStatusErrorType = ValidationRequestNotFoundErrorType

/** Reads a validation request's latest status; throws `ValidationRequestNotFoundError` if unknown. */
export async function getValidationStatus(
  client: Client,
  parameters: GetValidationStatusParameters,
): Promise<GetValidationStatusReturnType> {
  const { registry, requestHash } = parameters
  try {
    const [validatorAddress, agentId, response, responseHash, tag, lastUpdate] = await readContract(
      client,
      {
        address: registry,
        abi: validationRegistryAbi,
        functionName: 'getValidationStatus',
        args: [requestHash],
      },
    )
    return { validatorAddress, agentId, response, responseHash, tag, lastUpdate }
  } catch (error) {
    const revert =
      error instanceof ViemBaseError
        ? (error.walk(
            (e) => e instanceof ContractFunctionRevertedError,
          ) as ContractFunctionRevertedError | null)
        : null
    // The registry reverts "unknown" for a hash never requested.
    if (revert?.reason === 'unknown')
      throw new ValidationRequestNotFoundError({ requestHash, cause: error })
    throw error
  }
}
