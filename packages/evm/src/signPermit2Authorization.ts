import {
  type ExactPermit2Payload,
  getEvmChainId,
  type NotEvmNetworkError,
  type PaymentRequirements,
  type UnknownNetworkError,
  type UptoPermit2Payload,
} from '@tollgate/core'
import { getAddress } from 'viem'
import type { AccountNotFoundError } from './errors.js'
import { MissingFacilitatorAddressError } from './errors.js'
import {
  createPermit2Nonce,
  getPermit2Proxy,
  getPermit2TypedData,
  type Permit2Authorization,
  type Permit2Scheme,
  toWirePermit2Authorization,
} from './permit2.js'
import { type AuthorizationSigner, resolveSigner } from './signer.js'

export type SignPermit2AuthorizationParameters = {
  /** The requirement to pay: `upto`, or `exact` with `extra.assetTransferMethod: "permit2"`. */
  requirements: Pick<
    PaymentRequirements,
    'scheme' | 'network' | 'asset' | 'payTo' | 'amount' | 'maxTimeoutSeconds' | 'extra'
  >
  /** The clock, in milliseconds since the Unix epoch (read once, in seconds, for the deadline). @default Date.now */
  now?: (() => number) | undefined
  /** @default 32 random bytes */
  nonce?: bigint | undefined
}

export type SignPermit2AuthorizationReturnType = ExactPermit2Payload | UptoPermit2Payload

export type SignPermit2AuthorizationErrorType =
  | AccountNotFoundError
  | MissingFacilitatorAddressError
  | UnknownNetworkError
  | NotEvmNetworkError

/**
 * Signs a Permit2 witness transfer for a requirement, as the reference client does: the amount
 * (for `upto`, the most the server may charge), the scheme's x402 proxy as spender, a random
 * nonce, `deadline = now + maxTimeoutSeconds`, `validAfter = 0`, and for `upto` the facilitator
 * the server named in `extra.facilitatorAddress`. The payer must have approved Permit2 for the token once.
 *
 * @example
 * import { signPermit2Authorization } from '@tollgate/evm'
 *
 * const payload = await signPermit2Authorization(account, { requirements })
 */
export async function signPermit2Authorization(
  signer: AuthorizationSigner,
  {
    requirements,
    now = Date.now,
    nonce = createPermit2Nonce(),
  }: SignPermit2AuthorizationParameters,
): Promise<SignPermit2AuthorizationReturnType> {
  const { address, signTypedData } = resolveSigner(signer, 'signPermit2Authorization')
  const chainId = getEvmChainId(requirements.network)
  const scheme: Permit2Scheme = requirements.scheme === 'upto' ? 'upto' : 'exact'
  const facilitator = requirements.extra?.facilitatorAddress
  if (
    scheme === 'upto' &&
    (typeof facilitator !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(facilitator))
  )
    throw new MissingFacilitatorAddressError({ network: requirements.network })
  const seconds = BigInt(Math.floor(now() / 1000))
  const authorization: Permit2Authorization = {
    scheme,
    from: getAddress(address),
    token: getAddress(requirements.asset),
    amount: BigInt(requirements.amount),
    spender: getPermit2Proxy(scheme),
    nonce,
    deadline: seconds + BigInt(requirements.maxTimeoutSeconds),
    to: getAddress(requirements.payTo),
    validAfter: 0n,
    ...(scheme === 'upto' ? { facilitator: getAddress(facilitator as string) } : {}),
  }
  const signature = await signTypedData(getPermit2TypedData(authorization, { chainId }))
  return {
    signature,
    permit2Authorization: toWirePermit2Authorization(authorization),
  } as SignPermit2AuthorizationReturnType
}
