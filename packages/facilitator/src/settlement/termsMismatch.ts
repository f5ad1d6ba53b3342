import { type PaymentRequirements, type PaymentRequirementsV1, reasons } from '@tollgate/core'
import type { SettlementEntry } from '../ledger/types.js'

/**
 * Why a `/settle` whose authorization the ledger already holds (verified earlier, or further
 * along) must not be answered from that row: its requirements name another payee, token or price
 * than the authorization pays. `undefined` when they agree. The signature was checked when the row
 * was made; what a later request's requirements say was not.
 */
export function termsMismatch(
  entry: SettlementEntry,
  requirements: PaymentRequirements | PaymentRequirementsV1,
): string | undefined {
  const permit2 = entry.permit2
  if (entry.payee.toLowerCase() !== requirements.payTo.toLowerCase())
    return permit2
      ? reasons.invalidPermit2RecipientMismatch
      : reasons.invalidExactEvmRecipientMismatch
  // EIP-3009's row is keyed by the requirements' token already; a Permit2 one by the signed token.
  if (permit2 && entry.asset.toLowerCase() !== requirements.asset.toLowerCase())
    return reasons.permit2TokenMismatch
  // An `upto` charge is the requirements' amount, within the signed maximum (checked before).
  if (permit2?.scheme === 'upto') return undefined
  let amount: bigint
  try {
    amount = BigInt(
      'maxAmountRequired' in requirements
        ? (requirements as PaymentRequirementsV1).maxAmountRequired
        : (requirements as PaymentRequirements).amount,
    )
  } catch {
    return reasons.invalidPaymentRequirements
  }
  if (permit2) return permit2.permitted === amount ? undefined : reasons.permit2AmountMismatch
  return entry.value === amount
    ? undefined
    : reasons.invalidExactEvmPayloadAuthorizationValueMismatch
}
