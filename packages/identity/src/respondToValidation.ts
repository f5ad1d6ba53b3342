import { validationRegistryAbi } from '@tollgate/contracts'
import type { AccountNotFoundErrorType } from '@tollgate/evm'
import { type Address, type Hash, type Hex, zeroHash } from 'viem'
import { estimateContractGas, writeContract } from 'viem/actions'
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

/**
 * The registry writes `lastUpdate = block.timestamp`: 100 gas when the slot already holds that
 * time, 2,900 when it changes (EIP-2929/2200). Nodes estimate against the latest block, so a
 * response estimated in the block of the previous write (its request, or an earlier response)
 * and mined in a later block needs this much more than estimated.
 */
const lastUpdateRewriteGas = 2_800n

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
  const call = {
    account,
    address: parameters.registry,
    abi: validationRegistryAbi,
    functionName: 'validationResponse',
    args: [parameters.requestHash, response, responseURI, responseHash, tag],
  } as const
  const gas = (await estimateContractGas(client, call)) + lastUpdateRewriteGas
  const hash = await writeContract(client, { ...call, chain: client.chain ?? null, gas })
  await waitForSuccess(client, hash, 'validationResponse')
  return { transactionHash: hash }
}
