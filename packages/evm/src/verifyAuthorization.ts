import type { ExactEvmPayload, PaymentRequirements, VerifyResponse } from '@tollgate/core'
import { reasons } from '@tollgate/core'
import type { Address, Chain, Client, Hex, Transport } from 'viem'
import type { Asset } from './assets.js'
import {
  type Authorization,
  type AuthorizationDomain,
  fromWireAuthorization,
  hashTransferWithAuthorization,
} from './authorization.js'
import { checkChainState } from './chainState.js'
import { checkContractSignature } from './contractSignature.js'
import { ChainMismatchError } from './errors.js'
import { getChainId } from './network.js'
import { type EcdsaRecoverer, recoverEcdsaSigner, unwrapErc6492Signature } from './signature.js'

/** Which on-chain checks verification runs after the local ones. */
export type VerifyAuthorizationChecks = {
  /** The nonce is unused: `authorizationState(from, nonce)` is false. @default true */
  nonce?: boolean | undefined
  /** `balanceOf(from) >= value`. @default true */
  balance?: boolean | undefined
  /**
   * `extra.name`/`extra.version` equal the token's EIP-712 domain: from the asset registry, else
   * the token's `name()`/`version()` read once and cached. @default true
   */
  domain?: boolean | undefined
  /** `eth_call` the settlement itself (one more RPC; skipped for ERC-6492 signatures with deployment data). @default false */
  simulate?: boolean | undefined
}

/**
 * The requirement fields the exact scheme checks (v2 names; `verifyPayment` maps v1 onto them). A
 * whole `PaymentRequirements` fits.
 */
export type VerifiableRequirements = Pick<
  PaymentRequirements,
  'scheme' | 'network' | 'amount' | 'asset' | 'payTo' | 'extra'
> & { [key: string]: unknown }

export type VerifyAuthorizationParameters = {
  /** The exact scheme's payload `{ signature, authorization }`. */
  payload: ExactEvmPayload
  /** What the server asks for. */
  requirements: VerifiableRequirements
  /** What the payer says it accepted (`paymentPayload.accepted`, or v1's scheme and network). */
  accepted?: { scheme: string; network: string } | undefined
  /** The clock, in milliseconds since the Unix epoch; compared in seconds with the authorization's times. @default Date.now */
  now?: (() => number) | undefined
  /** Registry used for the domain check. @default assets */
  assets?: readonly Asset[] | undefined
  checks?: VerifyAuthorizationChecks | undefined
  /**
   * ERC-6492 factories trusted for undeployed smart wallets; others give
   * `eip6492_factory_not_allowed`, as in the reference. @default []
   */
  erc6492Factories?: readonly Address[] | undefined
  /**
   * How an ECDSA signer is recovered (`createEcdsaRecoverer` over a faster secp256k1).
   * @default recoverEcdsaSigner
   */
  recover?: EcdsaRecoverer | undefined
}

export type VerifyAuthorizationReturnType = VerifyResponse

/** The client verification reads the chain through. */
export type ReadClient = Client<Transport, Chain | undefined>

// The reference accepts `validBefore` only when it leaves at least this many seconds to settle.
const settleMarginSeconds = 6n
const hexAddress = /^0x[0-9a-fA-F]{40}$/
const hexBytes = /^0x(?:[0-9a-fA-F]{2})+$/

/**
 * Verifies an EIP-3009 payment against its requirement, with the reference verifier's reason
 * strings and order: scheme, EIP-712 domain present, network, signature, recipient, `validBefore`,
 * `validAfter`, exact value, then chain state (nonce unused, token domain, balance).
 *
 * The hot path costs no RPC beyond the chosen chain checks: EIP-712 digests use cached domain
 * separators, ECDSA signatures are recovered locally, the nonce and balance reads go out in
 * parallel (one HTTP request or one multicall when the client batches), and the token domain is
 * read once per token. Contract wallets cost an `eth_getCode` and an ERC-1271 call, sent together.
 * Throws only when the RPC fails: an outage is not an invalid payment.
 *
 * Differences from the reference (`@x402/evm` 2.27 `ExactEvmScheme`): balance and nonce are read up
 * front instead of simulating the transfer (`checks.simulate` restores the simulation); an ECDSA
 * signature by `from` is accepted without asking whether `from` has code (an EIP-7702 account whose
 * delegate rejects it fails at settlement); high-`s` signatures, which the token rejects, are
 * `invalid_exact_evm_signature` here; an undeployed ERC-6492 wallet from an allowed factory has its
 * signature checked (the reference skips the check and relies on simulation).
 *
 * @example
 * import { verifyAuthorization } from '@tollgate/evm'
 *
 * const { isValid, invalidReason } = await verifyAuthorization(publicClient, {
 *   payload: paymentPayload.payload,
 *   requirements,
 *   accepted: paymentPayload.accepted,
 * })
 */
export async function verifyAuthorization(
  client: ReadClient,
  parameters: VerifyAuthorizationParameters,
): Promise<VerifyAuthorizationReturnType> {
  const { payload, requirements, accepted, checks = {}, erc6492Factories = [] } = parameters
  const now = BigInt(Math.floor((parameters.now ?? Date.now)() / 1000))
  const payer = payload.authorization.from
  const invalid = (invalidReason: string, invalidMessage?: string): VerifyResponse =>
    invalidMessage === undefined
      ? { isValid: false, invalidReason, payer }
      : { isValid: false, invalidReason, invalidMessage, payer }

  const checked = checkRequirements(client, requirements, accepted)
  if ('reason' in checked) return invalid(checked.reason)
  const { domain } = checked
  let authorization: Authorization
  let digest: Hex
  try {
    authorization = fromWireAuthorization(payload.authorization)
    digest = hashTransferWithAuthorization({ authorization, domain })
  } catch {
    return invalid(reasons.invalidPayload)
  }

  // The local checks cost nothing, so they are computed now; their reasons still rank after the
  // signature's, as in the reference.
  const localReason = checkTerms(authorization, requirements, now)
  const unwrapped = hexBytes.test(payload.signature)
    ? unwrapErc6492Signature(payload.signature as Hex)
    : undefined
  if (!unwrapped) return invalid(reasons.invalidExactEvmSignature)
  const state = { authorization, domain, payload, requirements, checks, assets: parameters.assets }

  const recover = parameters.recover ?? recoverEcdsaSigner
  const signer = await recover(digest, unwrapped.signature, authorization.from)
  if (signer !== undefined && signer.toLowerCase() === authorization.from.toLowerCase()) {
    if (localReason) return invalid(localReason)
    const stateReason = await checkChainState(client, { ...state, hasDeployment: false })
    return stateReason ? invalid(...stateReason) : { isValid: true, payer }
  }

  // Not an ECDSA signature by `from`: a contract wallet, deployed (ERC-1271) or not (ERC-6492).
  // The chain state is read at the same time: a valid contract signature needs it next, and an
  // invalid one is rare enough that the wasted reads do not matter.
  const signatureCheck = checkContractSignature(client, {
    address: authorization.from,
    digest,
    signature: payload.signature as Hex,
    inner: unwrapped.signature,
    deployment: unwrapped.deployment,
    erc6492Factories,
  })
  const statePromise = localReason
    ? undefined
    : checkChainState(client, { ...state, hasDeployment: unwrapped.deployment !== undefined })
  // Answered below only when the signature is valid; never an unhandled rejection otherwise.
  statePromise?.catch(() => undefined)
  const result = await signatureCheck
  if (!result.valid) return invalid(result.reason)
  if (localReason) return invalid(localReason)
  const stateReason = await statePromise
  return stateReason ? invalid(...stateReason) : { isValid: true, payer }
}

/**
 * The requirement's own checks, in the reference's order: why it cannot be paid this way, or the
 * EIP-712 domain its authorization is signed in. A client on another chain throws.
 */
function checkRequirements(
  client: ReadClient,
  requirements: VerifiableRequirements,
  accepted: VerifyAuthorizationParameters['accepted'],
): { reason: string } | { domain: AuthorizationDomain } {
  if (requirements.scheme !== 'exact' || (accepted && accepted.scheme !== 'exact'))
    return { reason: reasons.invalidExactEvmScheme }
  const chainId = getChainId(requirements.network)
  if (chainId === undefined) return { reason: reasons.invalidExactEvmNetworkMismatch }
  const name = requirements.extra?.name
  const version = requirements.extra?.version
  if (typeof name !== 'string' || name === '' || typeof version !== 'string' || version === '')
    return { reason: reasons.invalidExactEvmMissingEip712Domain }
  if (accepted && accepted.network !== requirements.network)
    return { reason: reasons.invalidExactEvmNetworkMismatch }
  if (!hexAddress.test(requirements.asset) || !hexAddress.test(requirements.payTo))
    return { reason: reasons.invalidPaymentRequirements }
  if (client.chain && client.chain.id !== chainId)
    throw new ChainMismatchError({ expected: chainId, actual: client.chain.id })
  return { domain: { name, version, chainId, verifyingContract: requirements.asset as Address } }
}

function checkTerms(
  authorization: Authorization,
  requirements: VerifiableRequirements,
  now: bigint,
): string | undefined {
  if (authorization.to.toLowerCase() !== requirements.payTo.toLowerCase())
    return reasons.invalidExactEvmRecipientMismatch
  if (authorization.validBefore < now + settleMarginSeconds)
    return reasons.invalidExactEvmPayloadAuthorizationValidBefore
  if (authorization.validAfter > now) return reasons.invalidExactEvmPayloadAuthorizationValidAfter
  let amount: bigint
  try {
    amount = BigInt(requirements.amount)
  } catch {
    return reasons.invalidPaymentRequirements
  }
  if (authorization.value !== amount)
    return reasons.invalidExactEvmPayloadAuthorizationValueMismatch
  return undefined
}
