import {
  exactPermit2PayloadSchema,
  type PaymentRequirements,
  reasons,
  uptoPermit2PayloadSchema,
  type VerifyResponse,
} from '@tollgate/core'
import type { Address, Hex } from 'viem'
import { encodeFunctionData, hashTypedData } from 'viem'
import { call, getCode, readContract } from 'viem/actions'
import { erc20Abi, erc1271Abi, erc1271MagicValue } from './abis.js'
import { isContractFailure } from './contractFailure.js'
import { getPermit2SettlementCall } from './getPermit2SettlementCall.js'
import { getChainId } from './network.js'
import {
  fromWirePermit2Authorization,
  getPermit2Proxy,
  getPermit2TypedData,
  type Permit2Authorization,
  type Permit2Scheme,
  permit2Address,
} from './permit2.js'
import { erc20AllowanceAbi, permit2Abi } from './permit2Abis.js'
import { type EcdsaRecoverer, recoverEcdsaSigner } from './signature.js'
import type { ReadClient } from './verifyAuthorization.js'

/** Which on-chain checks run after the local ones. */
export type VerifyPermit2Checks = {
  /** The Permit2 nonce is unused (`nonceBitmap`). @default true */
  nonce?: boolean | undefined
  /** `balanceOf(payer) >=` the permitted amount. @default true */
  balance?: boolean | undefined
  /** `allowance(payer, Permit2) >=` the permitted amount. @default true */
  allowance?: boolean | undefined
  /** The scheme's proxy has code (a missing proxy settles nothing and still succeeds). @default true */
  proxy?: boolean | undefined
  /** `eth_call` the settlement (from the `upto` facilitator, which alone may call it). @default false */
  simulate?: boolean | undefined
}

export type VerifyPermit2AuthorizationParameters = {
  /** The payment's `payload`: `{ signature, permit2Authorization }`. */
  payload: unknown
  /** What the server asks for: for `upto`, `amount` is the maximum at `/verify` and the charge at `/settle`. */
  requirements: Pick<PaymentRequirements, 'scheme' | 'network' | 'amount' | 'asset' | 'payTo'> & {
    [key: string]: unknown
  }
  /** What the payer says it accepted (`paymentPayload.accepted`). */
  accepted?: { scheme: string; network: string } | undefined
  /**
   * `upto` only: the accounts this facilitator settles from; the signature must name one of them.
   * Without it the witness's facilitator is not checked.
   */
  facilitators?: readonly Address[] | undefined
  /**
   * Verification for a settlement: an `upto` amount may then be below the permitted maximum (the
   * charge), never above. At `/verify` it must equal the maximum. @default false
   */
  settling?: boolean | undefined
  /** The clock, in milliseconds since the Unix epoch. @default Date.now */
  now?: (() => number) | undefined
  /**
   * How an ECDSA signer is recovered (`createEcdsaRecoverer` over a faster secp256k1).
   * @default recoverEcdsaSigner
   */
  recover?: EcdsaRecoverer | undefined
  checks?: VerifyPermit2Checks | undefined
}

export type VerifyPermit2AuthorizationReturnType = VerifyResponse & {
  /** The parsed authorization, when the payload was readable. */
  authorization?: Permit2Authorization | undefined
}

// As for EIP-3009: a deadline must leave this many seconds to settle.
const settleMarginSeconds = 6n

function parse(scheme: Permit2Scheme, payload: unknown) {
  const parsed = (
    scheme === 'upto' ? uptoPermit2PayloadSchema : exactPermit2PayloadSchema
  ).safeParse(payload)
  return parsed.success ? parsed.data : undefined
}

function schemeReasons(scheme: Permit2Scheme) {
  return scheme === 'upto'
    ? { scheme: reasons.invalidUptoEvmScheme, network: reasons.invalidUptoEvmNetworkMismatch }
    : { scheme: reasons.invalidExactEvmScheme, network: reasons.invalidExactEvmNetworkMismatch }
}

/**
 * Verifies a Permit2 payment (`exact` with `assetTransferMethod: "permit2"`, or `upto`) with the
 * reference's reasons and order: scheme and network, spender (the scheme's proxy), recipient,
 * deadline, `validAfter`, amount, token, the `upto` facilitator, signature (ECDSA recovered
 * locally, or ERC-1271), then the chain: the proxy deployed, the nonce unused, balance and
 * allowance to Permit2 covering the permitted amount. Throws only when the RPC fails.
 *
 * @example
 * import { verifyPermit2Authorization } from '@tollgate/evm'
 *
 * const { isValid, invalidReason } = await verifyPermit2Authorization(publicClient, {
 *   payload: paymentPayload.payload,
 *   requirements,
 *   accepted: paymentPayload.accepted,
 * })
 */
export async function verifyPermit2Authorization(
  client: ReadClient,
  parameters: VerifyPermit2AuthorizationParameters,
): Promise<VerifyPermit2AuthorizationReturnType> {
  const { requirements, accepted, settling = false, checks = {} } = parameters
  const scheme: Permit2Scheme = requirements.scheme === 'upto' ? 'upto' : 'exact'
  const wire = parse(scheme, parameters.payload)
  const payer = wire?.permit2Authorization.from
  const invalid = (invalidReason: string): VerifyPermit2AuthorizationReturnType =>
    payer === undefined
      ? { isValid: false, invalidReason }
      : { isValid: false, invalidReason, payer }
  const named = schemeReasons(scheme)
  if (accepted && accepted.scheme !== requirements.scheme) return invalid(named.scheme)
  const chainId = getChainId(requirements.network)
  if (chainId === undefined || (accepted && accepted.network !== requirements.network))
    return invalid(named.network)
  if (!wire) return invalid(reasons.invalidPayload)
  let authorization: Permit2Authorization
  let amount: bigint
  try {
    authorization = fromWirePermit2Authorization(scheme, wire.permit2Authorization)
    amount = BigInt(requirements.amount)
  } catch {
    return invalid(reasons.invalidPayload)
  }
  const now = BigInt(Math.floor((parameters.now ?? Date.now)() / 1000))
  const termsReason = checkTerms(authorization, requirements, { amount, now, settling })
  if (termsReason) return invalid(termsReason)
  if (
    scheme === 'upto' &&
    parameters.facilitators &&
    !parameters.facilitators.some(
      (address) => address.toLowerCase() === authorization.facilitator?.toLowerCase(),
    )
  )
    return invalid(reasons.uptoFacilitatorMismatch)

  const digest = hashTypedData(getPermit2TypedData(authorization, { chainId }))
  const recover = parameters.recover ?? recoverEcdsaSigner
  if (
    !(await signedBy(client, { owner: authorization.from, digest, recover }, wire.signature as Hex))
  )
    return invalid(reasons.invalidPermit2Signature)
  const stateReason = await checkChainState(client, {
    authorization,
    signature: wire.signature as Hex,
    checks,
  })
  return stateReason
    ? invalid(stateReason)
    : { isValid: true, payer: authorization.from, authorization }
}

function checkTerms(
  authorization: Permit2Authorization,
  requirements: VerifyPermit2AuthorizationParameters['requirements'],
  { amount, now, settling }: { amount: bigint; now: bigint; settling: boolean },
): string | undefined {
  if (authorization.spender.toLowerCase() !== getPermit2Proxy(authorization.scheme).toLowerCase())
    return reasons.invalidPermit2Spender
  if (authorization.to.toLowerCase() !== requirements.payTo.toLowerCase())
    return reasons.invalidPermit2RecipientMismatch
  if (authorization.deadline < now + settleMarginSeconds) return reasons.permit2DeadlineExpired
  if (authorization.validAfter > now) return reasons.permit2NotYetValid
  if (authorization.scheme === 'upto' && settling) {
    if (amount > authorization.amount) return reasons.invalidUptoEvmPayloadSettlementExceedsAmount
  } else if (authorization.amount !== amount) return reasons.permit2AmountMismatch
  if (authorization.token.toLowerCase() !== requirements.asset.toLowerCase())
    return reasons.permit2TokenMismatch
  return undefined
}

/** An ECDSA signature by `owner` (recovered locally), else an ERC-1271 wallet at `owner` that accepts it. */
async function signedBy(
  client: ReadClient,
  { owner, digest, recover }: { owner: Address; digest: Hex; recover: EcdsaRecoverer },
  signature: Hex,
) {
  if (!/^0x(?:[0-9a-fA-F]{2})+$/.test(signature)) return false
  const recovered = await recover(digest, signature, owner)
  if (recovered?.toLowerCase() === owner.toLowerCase()) return true
  const code = await getCode(client, { address: owner })
  if (code === undefined || code === '0x') return false
  try {
    const magic = await readContract(client, {
      address: owner,
      abi: erc1271Abi,
      functionName: 'isValidSignature',
      args: [digest, signature],
    })
    return magic.toLowerCase() === erc1271MagicValue
  } catch (error) {
    if (isContractFailure(error)) return false
    throw error
  }
}

async function checkChainState(
  client: ReadClient,
  {
    authorization,
    signature,
    checks,
  }: { authorization: Permit2Authorization; signature: Hex; checks: VerifyPermit2Checks },
): Promise<string | undefined> {
  const { from, token, amount, nonce } = authorization
  const proxy = getPermit2Proxy(authorization.scheme)
  const skip = Promise.resolve(undefined)
  // Sent in the same tick: a batching client makes them one request.
  const [proxyCode, bitmap, balance, allowance] = await Promise.all([
    checks.proxy === false ? skip : getCode(client, { address: proxy }),
    checks.nonce === false
      ? skip
      : readContract(client, {
          address: permit2Address,
          abi: permit2Abi,
          functionName: 'nonceBitmap',
          args: [from, nonce >> 8n],
        }),
    checks.balance === false
      ? skip
      : readContract(client, {
          address: token,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [from],
        }),
    checks.allowance === false
      ? skip
      : readContract(client, {
          address: token,
          abi: erc20AllowanceAbi,
          functionName: 'allowance',
          args: [from, permit2Address],
        }),
  ])
  if (checks.proxy !== false && (proxyCode === undefined || proxyCode === '0x'))
    return reasons.permit2ProxyNotDeployed
  if (bitmap !== undefined && ((bitmap >> (nonce & 0xffn)) & 1n) === 1n)
    return reasons.permit2InvalidNonce
  if (balance !== undefined && balance < amount) return reasons.permit2InsufficientBalance
  if (allowance !== undefined && allowance < amount) return reasons.permit2AllowanceRequired
  if (checks.simulate) {
    const settlement = getPermit2SettlementCall({ authorization, signature, amount })
    try {
      await call(client, {
        ...(authorization.facilitator ? { account: authorization.facilitator } : {}),
        to: settlement.address,
        data: encodeFunctionData(settlement as Parameters<typeof encodeFunctionData>[0]),
      })
    } catch (error) {
      if (isContractFailure(error)) return reasons.permit2SimulationFailed
      throw error
    }
  }
  return undefined
}
