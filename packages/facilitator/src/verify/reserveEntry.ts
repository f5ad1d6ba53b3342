import { reasons } from '@tollgate/core'
import type { ChainRuntime } from '../chain/types.js'
import type { AuthorizationKey, SettlementEntry } from '../ledger/types.js'
import { facilitatorReasons } from './reasons.js'
import type { VerifyAndReserveContext, VerifyAndReserveReturnType } from './verifyAndReserve.js'

/**
 * Records a verified authorization's reservation, atomically with the payer's balance (cached,
 * read again before refusing) and exposure checks, and answers as `/verify` does: a held
 * authorization is a duplicate (`verified`) or a used nonce (further on).
 */
export async function reserveEntry(
  context: VerifyAndReserveContext,
  {
    entry,
    key,
    chain,
    state,
    payer,
  }: {
    entry: SettlementEntry
    key: AuthorizationKey
    chain: ChainRuntime
    state: 'verified' | 'queued'
    payer: string
  },
): Promise<VerifyAndReserveReturnType> {
  const { ledger, holdMs, exposureCap, checkBalance = true } = context
  const permit2 = entry.permit2 !== undefined
  const invalid = (invalidReason: string, extra: Partial<VerifyAndReserveReturnType> = {}) =>
    ({
      ok: false,
      response: { isValid: false, invalidReason, payer },
      ...extra,
    }) as VerifyAndReserveReturnType
  const reserve = async (fresh: boolean) => {
    const cached = !checkBalance
      ? undefined
      : fresh
        ? await chain.balances.refresh({ asset: entry.asset, payer: entry.payer })
        : await chain.balances.get({ asset: entry.asset, payer: entry.payer })
    return ledger.reserve(entry, {
      state,
      holdMs,
      balance: cached?.balance,
      balanceBlock: cached?.block,
      exposureCap,
      // A hold promises no transfer: lost with the machine's power, it only frees the payer's
      // balance early, and a `/settle` of the authorization verifies it again. A `queued` row is
      // a promise to settle, and waits for the disk.
      durable: state === 'queued',
    })
  }
  let result = await reserve(false)
  // The cache only lags behind incoming transfers: read again before refusing.
  if (result.status === 'insufficient_balance') result = await reserve(true)

  switch (result.status) {
    case 'reserved':
      return { ok: true, response: { isValid: true, payer }, record: result.record, chain }
    case 'exists':
      return invalid(
        result.record.state === 'verified'
          ? reasons.duplicateSettlement
          : permit2
            ? reasons.permit2InvalidNonce
            : reasons.invalidExactEvmNonceAlreadyUsed,
        { key, existing: result.record, chain },
      )
    case 'insufficient_balance':
      return invalid(
        permit2 ? reasons.permit2InsufficientBalance : reasons.invalidExactEvmInsufficientBalance,
        { key, chain },
      )
    case 'exposure_cap':
      return invalid(facilitatorReasons.exposureCapExceeded, { key, chain })
  }
}
