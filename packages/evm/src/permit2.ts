import type { PaymentRequirements } from '@tollgate/core'
import type { Address, TypedDataDefinition } from 'viem'
import { bytesToBigInt, getAddress } from 'viem'

/** Uniswap's Permit2, at the same address on every chain. */
export const permit2Address =
  '0x000000000022D473030F116dDEE9F6B43aC78BA3' as const satisfies Address
/** The x402 `exact` Permit2 proxy, the spender of every `exact` Permit2 signature. */
export const exactPermit2ProxyAddress =
  '0x402085c248EeA27D92E8b30b2C58ed07f9E20001' as const satisfies Address
/** The x402 `upto` Permit2 proxy, the spender of every `upto` signature. */
export const uptoPermit2ProxyAddress =
  '0x4020A4f3b7b90ccA423B9fabCc0CE57C6C240002' as const satisfies Address

/** The schemes that pay through Permit2: `exact` (the whole amount) and `upto` (at most the amount). */
export type Permit2Scheme = 'exact' | 'upto'

/** How a token is paid: EIP-3009 `transferWithAuthorization`, or Permit2 through the x402 proxies. */
export type AssetTransferMethod = 'eip3009' | 'permit2'

const tokenPermissions = [
  { name: 'token', type: 'address' },
  { name: 'amount', type: 'uint256' },
] as const
const permitWitnessTransferFrom = [
  { name: 'permitted', type: 'TokenPermissions' },
  { name: 'spender', type: 'address' },
  { name: 'nonce', type: 'uint256' },
  { name: 'deadline', type: 'uint256' },
  { name: 'witness', type: 'Witness' },
] as const

/** The EIP-712 types of an `exact` Permit2 payment (`Witness(address to,uint256 validAfter)`). */
export const exactPermit2Types = {
  PermitWitnessTransferFrom: permitWitnessTransferFrom,
  TokenPermissions: tokenPermissions,
  Witness: [
    { name: 'to', type: 'address' },
    { name: 'validAfter', type: 'uint256' },
  ],
} as const

/** The EIP-712 types of an `upto` payment (`Witness(address to,address facilitator,uint256 validAfter)`). */
export const uptoPermit2Types = {
  PermitWitnessTransferFrom: permitWitnessTransferFrom,
  TokenPermissions: tokenPermissions,
  Witness: [
    { name: 'to', type: 'address' },
    { name: 'facilitator', type: 'address' },
    { name: 'validAfter', type: 'uint256' },
  ],
} as const

/** A Permit2 witness transfer as signed, amounts and times as `bigint`. */
export type Permit2Authorization = {
  scheme: Permit2Scheme
  from: Address
  token: Address
  /** The permitted amount: what `exact` moves, the most `upto` may move. */
  amount: bigint
  spender: Address
  nonce: bigint
  deadline: bigint
  to: Address
  validAfter: bigint
  /** `upto` only: the one account allowed to settle, and so to choose the amount. */
  facilitator?: Address | undefined
}

/** The proxy a scheme's signatures name as spender. */
export function getPermit2Proxy(scheme: Permit2Scheme): Address {
  return scheme === 'upto' ? uptoPermit2ProxyAddress : exactPermit2ProxyAddress
}

/** A fresh Permit2 nonce: 32 random bytes. Permit2 nonces are an unordered bitmap, so any unused one works. */
export function createPermit2Nonce(): bigint {
  return bytesToBigInt(globalThis.crypto.getRandomValues(new Uint8Array(32)))
}

/**
 * Whether a requirement is paid through Permit2: every `upto` one, and an `exact` one whose
 * `extra.assetTransferMethod` is `"permit2"` (the reference's rule; EIP-3009 otherwise).
 */
export function usesPermit2(
  requirements: Pick<PaymentRequirements, 'scheme'> & {
    extra?: Record<string, unknown> | null | undefined
  },
): boolean {
  return requirements.scheme === 'upto' || requirements.extra?.assetTransferMethod === 'permit2'
}

/** Whether an x402 `payload` is a Permit2 one (the facilitator's rule: it carries `permit2Authorization`). */
export function isPermit2Payload(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && 'permit2Authorization' in payload
}

/** The viem typed data of a Permit2 witness transfer, for `signTypedData` / `hashTypedData`. */
export function getPermit2TypedData(
  authorization: Permit2Authorization,
  { chainId }: { chainId: number },
): TypedDataDefinition {
  const domain = { name: 'Permit2', chainId, verifyingContract: permit2Address }
  const permitted = { token: authorization.token, amount: authorization.amount }
  const base = {
    permitted,
    spender: authorization.spender,
    nonce: authorization.nonce,
    deadline: authorization.deadline,
  }
  if (authorization.scheme === 'upto')
    return {
      domain,
      types: uptoPermit2Types,
      primaryType: 'PermitWitnessTransferFrom',
      message: {
        ...base,
        witness: {
          to: authorization.to,
          facilitator: authorization.facilitator ?? '0x0000000000000000000000000000000000000000',
          validAfter: authorization.validAfter,
        },
      },
    } as TypedDataDefinition
  return {
    domain,
    types: exactPermit2Types,
    primaryType: 'PermitWitnessTransferFrom',
    message: { ...base, witness: { to: authorization.to, validAfter: authorization.validAfter } },
  } as TypedDataDefinition
}

/** The wire `permit2Authorization` (decimal strings) of an authorization. */
export function toWirePermit2Authorization(authorization: Permit2Authorization) {
  const witness =
    authorization.scheme === 'upto'
      ? {
          to: authorization.to,
          facilitator: authorization.facilitator ?? '0x0000000000000000000000000000000000000000',
          validAfter: authorization.validAfter.toString(),
        }
      : { to: authorization.to, validAfter: authorization.validAfter.toString() }
  return {
    from: authorization.from,
    permitted: { token: authorization.token, amount: authorization.amount.toString() },
    spender: authorization.spender,
    nonce: authorization.nonce.toString(),
    deadline: authorization.deadline.toString(),
    witness,
  }
}

/** The wire form of a Permit2 authorization, `exact` or `upto` (the `upto` witness names a facilitator). */
export type WirePermit2Authorization = {
  from: string
  permitted: { token: string; amount: string }
  spender: string
  nonce: string
  deadline: string
  witness: { to: string; validAfter: string; facilitator?: string | undefined }
}

/** Parses a checked wire authorization into addresses and `bigint`s. */
export function fromWirePermit2Authorization(
  scheme: Permit2Scheme,
  wire: WirePermit2Authorization,
): Permit2Authorization {
  return {
    scheme,
    from: getAddress(wire.from),
    token: getAddress(wire.permitted.token),
    amount: BigInt(wire.permitted.amount),
    spender: getAddress(wire.spender),
    nonce: BigInt(wire.nonce),
    deadline: BigInt(wire.deadline),
    to: getAddress(wire.witness.to),
    validAfter: BigInt(wire.witness.validAfter),
    ...(scheme === 'upto' && wire.witness.facilitator
      ? { facilitator: getAddress(wire.witness.facilitator) }
      : {}),
  }
}
