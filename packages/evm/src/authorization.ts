import type { ExactEvmPayload, PaymentRequirements } from '@tollgate/core'
import { getEvmChainId } from '@tollgate/core'
import type { Address, Hex, TypedDataDefinition } from 'viem'
import { bytesToHex, getAddress, keccak256, stringToHex } from 'viem'
import { type Asset, getAsset } from './assets.js'
import { InvalidAuthorizationError, MissingEip712DomainError } from './errors.js'

/** An EIP-3009 `TransferWithAuthorization` message, amounts and times as `bigint`. */
export type Authorization = {
  from: Address
  to: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: Hex
}

/** The EIP-712 domain of an EIP-3009 token: its `name()`, `version()`, chain and address. */
export type AuthorizationDomain = {
  name: string
  version: string
  chainId: number
  verifyingContract: Address
}

/** The EIP-712 types of `TransferWithAuthorization` (EIP-3009). */
export const transferWithAuthorizationTypes = {
  TransferWithAuthorization: [
    { name: 'from', type: 'address' },
    { name: 'to', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'validAfter', type: 'uint256' },
    { name: 'validBefore', type: 'uint256' },
    { name: 'nonce', type: 'bytes32' },
  ],
} as const

/** The requirement fields an authorization is built from (a whole `PaymentRequirements` fits). */
export type AuthorizationRequirements = Pick<
  PaymentRequirements,
  'network' | 'asset' | 'payTo' | 'amount' | 'maxTimeoutSeconds' | 'extra'
> & { [key: string]: unknown }

/** A fresh EIP-3009 nonce: 32 random bytes from `crypto.getRandomValues`, as 0x-hex. */
export function createNonce(): Hex {
  return bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)))
}

export type CreateAuthorizationParameters = {
  from: Address
  requirements: Pick<PaymentRequirements, 'payTo' | 'amount' | 'maxTimeoutSeconds'>
  /** The clock, in milliseconds since the Unix epoch (read once, in seconds, for the EIP-3009 times). @default Date.now */
  now?: (() => number) | undefined
  /** How far `validAfter` lies in the past, to tolerate clock skew. @default 600 */
  validAfterSkewSeconds?: number | undefined
  /** @default createNonce() */
  nonce?: Hex | undefined
}

/**
 * Builds the authorization a payer signs for a requirement: `value = amount`, `validAfter = now -
 * validAfterSkewSeconds`, `validBefore = now + maxTimeoutSeconds`, a random nonce.
 */
export function createAuthorization({
  from,
  requirements,
  now = Date.now,
  validAfterSkewSeconds = 600,
  nonce = createNonce(),
}: CreateAuthorizationParameters): Authorization {
  const seconds = Math.floor(now() / 1000)
  const validAfter = seconds - validAfterSkewSeconds
  return {
    from: getAddress(from),
    to: getAddress(requirements.payTo),
    value: BigInt(requirements.amount),
    validAfter: BigInt(Math.max(validAfter, 0)),
    validBefore: BigInt(seconds + requirements.maxTimeoutSeconds),
    nonce,
  }
}

/** The wire form of an authorization (decimal strings), as carried in `ExactEvmPayload`. */
export function toWireAuthorization(
  authorization: Authorization,
): ExactEvmPayload['authorization'] {
  return {
    from: authorization.from,
    to: authorization.to,
    value: authorization.value.toString(),
    validAfter: authorization.validAfter.toString(),
    validBefore: authorization.validBefore.toString(),
    nonce: authorization.nonce,
  }
}

/** Parses the wire form of an authorization into `bigint` amounts and times. */
export function fromWireAuthorization(wire: ExactEvmPayload['authorization']): Authorization {
  return {
    from: wire.from as Address,
    to: wire.to as Address,
    value: BigInt(wire.value),
    validAfter: BigInt(wire.validAfter),
    validBefore: BigInt(wire.validBefore),
    nonce: wire.nonce as Hex,
  }
}

export type GetAuthorizationDomainParameters = {
  requirements: Pick<PaymentRequirements, 'network' | 'asset' | 'extra'>
  /** Consulted when `requirements.extra` lacks `name`/`version`. @default assets */
  assets?: readonly Asset[] | undefined
}

/**
 * The EIP-712 domain a requirement asks to sign under: `extra.name`/`extra.version` when present
 * (the server's word, as the reference client uses it), else the asset registry's entry. Throws
 * `UnknownNetworkError` / `NotEvmNetworkError` (from `@tollgate/core`) for a network that is not EVM.
 */
export function getAuthorizationDomain({
  requirements,
  assets,
}: GetAuthorizationDomainParameters): AuthorizationDomain {
  const chainId = getEvmChainId(requirements.network)
  const extra = requirements.extra
  let name = typeof extra?.name === 'string' && extra.name !== '' ? extra.name : undefined
  let version =
    typeof extra?.version === 'string' && extra.version !== '' ? extra.version : undefined
  if (name === undefined || version === undefined) {
    const asset = getAsset({ network: requirements.network, address: requirements.asset, assets })
    name ??= asset?.eip712.name
    version ??= asset?.eip712.version
  }
  if (name === undefined || version === undefined)
    throw new MissingEip712DomainError({ asset: requirements.asset, network: requirements.network })
  return { name, version, chainId, verifyingContract: requirements.asset as Address }
}

export type TransferWithAuthorizationParameters = {
  authorization: Authorization
  domain: AuthorizationDomain
}

/** The viem typed data of a `TransferWithAuthorization`, for `signTypedData` / `hashTypedData`. */
export function getTransferWithAuthorizationTypedData({
  authorization,
  domain,
}: TransferWithAuthorizationParameters): TypedDataDefinition<
  typeof transferWithAuthorizationTypes,
  'TransferWithAuthorization'
> {
  return {
    domain: {
      name: domain.name,
      version: domain.version,
      chainId: domain.chainId,
      verifyingContract: domain.verifyingContract,
    },
    types: transferWithAuthorizationTypes,
    primaryType: 'TransferWithAuthorization',
    message: {
      from: authorization.from,
      to: authorization.to,
      value: authorization.value,
      validAfter: authorization.validAfter,
      validBefore: authorization.validBefore,
      nonce: authorization.nonce,
    },
  }
}

// keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)")
const domainTypeHash = '8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f'
// keccak256("TransferWithAuthorization(address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce)")
const transferTypeHash = '7c7c6cdb67a18743f49ec6fa9b35f50d52ed05cbed4cc592e13b44501c1a2267'
const maxUint256 = (1n << 256n) - 1n
const addressPattern = /^0x[0-9a-fA-F]{40}$/
/** 32 bytes as 0x-hex: a nonce, a digest. */
export const bytes32Pattern = /^0x[0-9a-fA-F]{64}$/
const addressPadding = '000000000000000000000000'

function encodeAddress(field: string, value: string): string {
  if (!addressPattern.test(value)) throw new InvalidAuthorizationError({ field, value })
  return addressPadding + value.slice(2)
}

function encodeUint256(field: string, value: bigint): string {
  if (value < 0n || value > maxUint256)
    throw new InvalidAuthorizationError({ field, value: value.toString() })
  return value.toString(16).padStart(64, '0')
}

// Domain separators are keyed by every domain field. The key space is bounded because a
// facilitator hashes domains taken from requests: past the limit the oldest entry goes.
const domainSeparators = new Map<string, string>()
const maxDomainSeparators = 1024

/** The EIP-712 domain separator of a token domain, computed once per domain and cached. */
export function getDomainSeparator(domain: AuthorizationDomain): Hex {
  return `0x${domainSeparatorOf(domain)}`
}

function domainSeparatorOf(domain: AuthorizationDomain): string {
  const key = `${domain.chainId}\n${domain.verifyingContract.toLowerCase()}\n${domain.name}\n${domain.version}`
  const cached = domainSeparators.get(key)
  if (cached !== undefined) return cached
  if (!Number.isSafeInteger(domain.chainId) || domain.chainId < 0)
    throw new InvalidAuthorizationError({ field: 'chainId', value: String(domain.chainId) })
  const separator = keccak256(
    `0x${domainTypeHash}${keccak256(stringToHex(domain.name)).slice(2)}${keccak256(
      stringToHex(domain.version),
    ).slice(2)}${encodeUint256('chainId', BigInt(domain.chainId))}${encodeAddress(
      'verifyingContract',
      domain.verifyingContract,
    )}`,
  ).slice(2)
  if (domainSeparators.size >= maxDomainSeparators) {
    const oldest = domainSeparators.keys().next().value
    if (oldest !== undefined) domainSeparators.delete(oldest)
  }
  domainSeparators.set(key, separator)
  return separator
}

/**
 * The EIP-712 digest of a `TransferWithAuthorization`, equal to viem's `hashTypedData` of
 * {@link getTransferWithAuthorizationTypedData} but computed directly: precomputed type hashes, a
 * cached domain separator and one keccak over the packed struct, because the facilitator hashes on
 * every verification. Throws `InvalidAuthorizationError` for a malformed field.
 */
export function hashTransferWithAuthorization({
  authorization,
  domain,
}: TransferWithAuthorizationParameters): Hex {
  if (!bytes32Pattern.test(authorization.nonce))
    throw new InvalidAuthorizationError({ field: 'nonce', value: authorization.nonce })
  const structHash = keccak256(
    `0x${transferTypeHash}${encodeAddress('from', authorization.from)}${encodeAddress(
      'to',
      authorization.to,
    )}${encodeUint256('value', authorization.value)}${encodeUint256(
      'validAfter',
      authorization.validAfter,
    )}${encodeUint256('validBefore', authorization.validBefore)}${authorization.nonce.slice(2)}`,
  )
  return keccak256(`0x1901${domainSeparatorOf(domain)}${structHash.slice(2)}`)
}
