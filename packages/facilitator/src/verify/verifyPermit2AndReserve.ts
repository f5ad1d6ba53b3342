import { getEvmChainId, type PaymentRequirements, reasons } from '@tollgate/core'
import { type Permit2Authorization, verifyPermit2Authorization } from '@tollgate/evm'
import { type Address, type Hex, numberToHex } from 'viem'
import type { AuthorizationKey, SettlementEntry } from '../ledger/types.js'
import { recoverSigner } from './recoverSigner.js'
import { reserveEntry } from './reserveEntry.js'
import type {
  VerifyAndReserveContext,
  VerifyAndReserveParameters,
  VerifyAndReserveReturnType,
} from './verifyAndReserve.js'

/** A Permit2 nonce as the ledger keys it: 0x + 64 hex digits. */
export function permit2NonceKey(nonce: bigint): Hex {
  return numberToHex(nonce, { size: 32 })
}

/**
 * The ledger entry of a verified Permit2 authorization: keyed by chain, token, payer and nonce;
 * `value` is what moves (`exact`: the permitted amount; `upto`: `amount`, the maximum at
 * `/verify` and the charge at `/settle`).
 */
export function toPermit2Entry(
  chainId: number,
  {
    authorization: a,
    signature,
    amount,
    paymentId,
  }: {
    authorization: Permit2Authorization
    signature: Hex
    amount: bigint
    paymentId?: string | undefined
  },
): SettlementEntry {
  return {
    chainId,
    asset: a.token.toLowerCase() as Address,
    payer: a.from.toLowerCase() as Address,
    nonce: permit2NonceKey(a.nonce),
    payee: a.to.toLowerCase() as Address,
    value: a.scheme === 'upto' ? amount : a.amount,
    validAfter: a.validAfter,
    validBefore: a.deadline,
    signature,
    paymentId,
    permit2: {
      scheme: a.scheme,
      permitted: a.amount,
      ...(a.facilitator ? { facilitator: a.facilitator.toLowerCase() as Address } : {}),
    },
  }
}

/**
 * Verifies a Permit2 payment (`exact` or `upto`) and records its reservation, as
 * `verifyAndReserve` does for EIP-3009: the checks of `@tollgate/evm`'s
 * `verifyPermit2Authorization` (signature recovered locally; proxy deployed, nonce unused and
 * allowance to Permit2 read on-chain; an `upto` witness must name one of this chain's signers),
 * then the ledger insert that fails when the authorization is already held and checks the payer's
 * cached balance. For `upto`, `/verify` reserves the maximum and a `/settle` without a prior
 * `/verify` (`settling`) the charge.
 */
export async function verifyPermit2AndReserve(
  context: VerifyAndReserveContext,
  parameters: VerifyAndReserveParameters,
): Promise<VerifyAndReserveReturnType> {
  const { chains, now = Date.now } = context
  const requirements = parameters.paymentRequirements as PaymentRequirements
  const payload = parameters.paymentPayload
  const fail = (invalidReason: string, payer?: string | undefined): VerifyAndReserveReturnType => ({
    ok: false,
    response: payer ? { isValid: false, invalidReason, payer } : { isValid: false, invalidReason },
  })
  let chainId: number
  try {
    chainId = getEvmChainId(requirements.network)
  } catch {
    return fail(reasons.invalidNetwork)
  }
  const chain = chains.get(chainId)
  if (!chain) return fail(reasons.invalidNetwork)
  if (!chain.assetAddresses.has(requirements.asset.toLowerCase()))
    return fail(reasons.invalidPaymentRequirements)
  const verified = await verifyPermit2Authorization(chain.client, {
    recover: recoverSigner,
    payload: payload.payload,
    requirements,
    accepted: payload.x402Version === 2 ? payload.accepted : undefined,
    facilitators: chain.signers,
    settling: parameters.state === 'queued',
    now,
    // The balance is checked against the ledger's reservations instead; the settlement is not
    // simulated (the reference simulates; the on-chain reads cover its reasons).
    checks: { balance: false, simulate: false },
  })
  const authorization = verified.authorization
  if (!verified.isValid || !authorization) {
    const { authorization: _, ...response } = verified
    return {
      ok: false,
      response: {
        ...response,
        invalidReason: response.invalidReason ?? reasons.unexpectedVerifyError,
      },
      chain,
    }
  }
  const entry = toPermit2Entry(chainId, {
    authorization,
    signature: (payload.payload as { signature: Hex }).signature,
    amount: BigInt(requirements.amount),
    paymentId: parameters.paymentId,
  })
  const key: AuthorizationKey = {
    chainId,
    asset: entry.asset,
    payer: entry.payer,
    nonce: entry.nonce,
  }
  return reserveEntry(context, {
    entry,
    key,
    chain,
    state: parameters.state,
    payer: authorization.from,
  })
}
