import {
  BaseError,
  ContractFunctionRevertedError,
  ContractFunctionZeroDataError,
  ExecutionRevertedError,
  RawContractError,
} from 'viem'

/**
 * Whether a failed contract read failed because of the contract (it reverted, or there is no code
 * and it returned nothing) rather than because of the transport. Verification turns the first kind
 * into a reason string and rethrows the second: an RPC outage is not an invalid payment.
 */
export function isContractFailure(error: unknown): boolean {
  if (!(error instanceof BaseError)) return false
  return (
    error.walk(
      (cause) =>
        cause instanceof ContractFunctionRevertedError ||
        cause instanceof ContractFunctionZeroDataError ||
        cause instanceof RawContractError ||
        cause instanceof ExecutionRevertedError,
    ) !== null
  )
}
