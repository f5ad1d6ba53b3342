import type { ExactEvmPayload } from '@tollgate/core'

/** The key of an authorization: chain, token, payer and nonce, as the on-chain nonce is scoped. */
export function authorizationKey(
  requirement: { network: string; asset: string },
  { authorization }: ExactEvmPayload,
): string {
  return [
    requirement.network,
    requirement.asset.toLowerCase(),
    authorization.from.toLowerCase(),
    authorization.nonce.toLowerCase(),
  ].join('|')
}

/**
 * When an authorization stops being settleable, in milliseconds since the epoch: its
 * `validBefore` (unix seconds, the EIP-3009 edge) on the paywall's millisecond clock.
 */
export function validBeforeMs({ authorization }: ExactEvmPayload): number {
  // A uint256 of seconds is far beyond any clock; as a (huge, finite) number it still compares.
  return Number(BigInt(authorization.validBefore)) * 1000
}
