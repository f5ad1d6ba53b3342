import type { ExactEvmPayload, ExactPermit2Payload, UptoPermit2Payload } from '@tollgate/core'

/** A payment's signed authorization: EIP-3009, or a Permit2 witness transfer (`exact` or `upto`). */
export type PaymentAuthorization = ExactEvmPayload | ExactPermit2Payload | UptoPermit2Payload

/**
 * The key of an authorization, as its on-chain nonce is scoped: an EIP-3009 nonce per chain, token
 * and payer; a Permit2 nonce per chain and payer, whatever the token (Permit2 keeps one bitmap per
 * owner).
 */
export function authorizationKey(
  requirement: { network: string; asset: string },
  authorization: PaymentAuthorization,
): string {
  if ('permit2Authorization' in authorization) {
    const { from, nonce } = authorization.permit2Authorization
    return [requirement.network, 'permit2', from.toLowerCase(), nonce].join('|')
  }
  return [
    requirement.network,
    requirement.asset.toLowerCase(),
    authorization.authorization.from.toLowerCase(),
    authorization.authorization.nonce.toLowerCase(),
  ].join('|')
}

/** Who signed the authorization. */
export function payerOf(authorization: PaymentAuthorization): string {
  return 'permit2Authorization' in authorization
    ? authorization.permit2Authorization.from
    : authorization.authorization.from
}

/**
 * When an authorization stops being settleable, in milliseconds since the epoch: its
 * `validBefore` (EIP-3009) or `deadline` (Permit2), unix seconds, on the paywall's millisecond clock.
 */
export function validBeforeMs(authorization: PaymentAuthorization): number {
  const seconds =
    'permit2Authorization' in authorization
      ? authorization.permit2Authorization.deadline
      : authorization.authorization.validBefore
  // A uint256 of seconds is far beyond any clock; as a (huge, finite) number it still compares.
  return Number(BigInt(seconds)) * 1000
}
