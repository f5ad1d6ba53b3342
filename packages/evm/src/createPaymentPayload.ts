import type {
  PaymentPayload,
  PaymentPayloadV1,
  PaymentRequired,
  PaymentRequiredV1,
  PaymentRequirements,
  PaymentRequirementsV1,
  ResourceInfo,
} from '@tollgate/core'
import type { Hex } from 'viem'
import type { Asset } from './assets.js'
import type { AuthorizationRequirements } from './authorization.js'
import { NoExactEvmRequirementsError } from './errors.js'
import { getChainId } from './network.js'
import { usesPermit2 } from './permit2.js'
import { type AuthorizationSigner, signAuthorization } from './signAuthorization.js'
import { signPermit2Authorization } from './signPermit2Authorization.js'

type SigningOptions = {
  /** The clock, in milliseconds since the Unix epoch (read once, in seconds, for the EIP-3009 times). @default Date.now */
  now?: (() => number) | undefined
  /** Seconds `validAfter` lies in the past. @default 600 */
  validAfterSkewSeconds?: number | undefined
  /** @default 32 random bytes */
  nonce?: Hex | undefined
  /** Consulted for the EIP-712 domain when a requirement's `extra` lacks it. @default assets */
  assets?: readonly Asset[] | undefined
}

export type CreatePaymentPayloadV2Parameters = SigningOptions & {
  /** The 402 challenge: gives `resource` and `extensions`, and the requirement when none is given. */
  paymentRequired?: PaymentRequired | undefined
  /** The chosen requirement, copied verbatim into `accepted`. @default the first exact or upto EVM one */
  requirements?: PaymentRequirements | undefined
  /** @default paymentRequired.resource */
  resource?: ResourceInfo | undefined
  /** Merged over `paymentRequired.extensions` (a client may add, not remove). */
  extensions?: PaymentPayload['extensions'] | undefined
}

export type CreatePaymentPayloadV1Parameters = SigningOptions &
  (
    | { paymentRequired: PaymentRequiredV1; requirements?: PaymentRequirementsV1 | undefined }
    | { paymentRequired?: undefined; requirements: PaymentRequirementsV1 }
  )

export type CreatePaymentPayloadParameters =
  | CreatePaymentPayloadV2Parameters
  | CreatePaymentPayloadV1Parameters

/**
 * Signs a payment for a 402 challenge: a v2 `PaymentPayload` (`accepted` = the chosen requirement,
 * `resource` and `extensions` copied) or, for a v1 challenge or requirement, a `PaymentPayloadV1`.
 * An `upto` requirement, or an `exact` one with `extra.assetTransferMethod: "permit2"`, is signed
 * as a Permit2 witness transfer (`signPermit2Authorization`); any other as EIP-3009.
 *
 * @example
 * import { createPaymentPayload } from '@tollgate/evm'
 * import { encodePaymentSignatureHeader } from '@tollgate/core'
 *
 * const payload = await createPaymentPayload(account, { paymentRequired })
 * const header = encodePaymentSignatureHeader(payload)
 */
export async function createPaymentPayload(
  signer: AuthorizationSigner,
  parameters: CreatePaymentPayloadV1Parameters,
): Promise<PaymentPayloadV1>
export async function createPaymentPayload(
  signer: AuthorizationSigner,
  parameters: CreatePaymentPayloadV2Parameters,
): Promise<PaymentPayload>
export async function createPaymentPayload(
  signer: AuthorizationSigner,
  parameters: CreatePaymentPayloadParameters,
): Promise<PaymentPayload | PaymentPayloadV1> {
  const { now, validAfterSkewSeconds, nonce, assets } = parameters
  const options = { now, validAfterSkewSeconds, nonce, assets }
  const chosen = parameters.requirements ?? selectRequirement(parameters.paymentRequired)

  if (isV1(chosen, parameters.paymentRequired)) {
    const requirements = chosen as PaymentRequirementsV1
    const payload = await signAuthorization(signer, {
      ...options,
      requirements: fromV1(requirements),
    })
    return {
      x402Version: 1,
      scheme: requirements.scheme,
      network: requirements.network,
      payload,
    }
  }

  const v2 = parameters as CreatePaymentPayloadV2Parameters
  const accepted = chosen as PaymentRequirements
  // The reference's rule: `upto`, or `exact` with `extra.assetTransferMethod: "permit2"`, signs a
  // Permit2 witness transfer; any other `exact` requirement an EIP-3009 authorization.
  const payload = usesPermit2(accepted)
    ? await signPermit2Authorization(signer, {
        requirements: accepted,
        now,
        ...(nonce === undefined ? {} : { nonce: BigInt(nonce) }),
      })
    : await signAuthorization(signer, { ...options, requirements: accepted })
  const resource = v2.resource ?? v2.paymentRequired?.resource
  const extensions =
    v2.paymentRequired?.extensions || v2.extensions
      ? { ...v2.paymentRequired?.extensions, ...v2.extensions }
      : undefined
  return {
    x402Version: 2,
    ...(resource ? { resource } : {}),
    accepted,
    payload,
    ...(extensions ? { extensions } : {}),
  }
}

function isV1(
  requirements: PaymentRequirements | PaymentRequirementsV1,
  paymentRequired: PaymentRequired | PaymentRequiredV1 | undefined,
): boolean {
  if (paymentRequired) return paymentRequired.x402Version === 1
  return 'maxAmountRequired' in requirements
}

function fromV1(requirements: PaymentRequirementsV1): AuthorizationRequirements {
  return {
    network: requirements.network,
    asset: requirements.asset,
    payTo: requirements.payTo,
    amount: requirements.maxAmountRequired,
    maxTimeoutSeconds: requirements.maxTimeoutSeconds,
    extra: requirements.extra,
  }
}

function selectRequirement(
  paymentRequired: PaymentRequired | PaymentRequiredV1 | undefined,
): PaymentRequirements | PaymentRequirementsV1 {
  const accepts: readonly (PaymentRequirements | PaymentRequirementsV1)[] =
    paymentRequired?.accepts ?? []
  const found = accepts.find(
    (requirement) =>
      (requirement.scheme === 'exact' ||
        (requirement.scheme === 'upto' && !('maxAmountRequired' in requirement))) &&
      getChainId(requirement.network) !== undefined,
  )
  if (!found) throw new NoExactEvmRequirementsError({ offered: accepts })
  return found
}
