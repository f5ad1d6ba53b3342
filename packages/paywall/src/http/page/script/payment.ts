import { PageError } from './pageError.js'

// The payment, built as `@tollgate/evm`'s `createPaymentPayload` builds it: an EIP-3009
// `TransferWithAuthorization` signed under the token's EIP-712 domain (`extra.name/version` and
// the chain), wrapped in the x402 payload of the challenge's version, base64 of its JSON.

/** An entry of the challenge's `accepts`: v2 (`amount`) or v1 (`maxAmountRequired`). */
export type Requirement = {
  scheme: string
  network: string
  asset: string
  payTo: string
  amount?: string | undefined
  maxAmountRequired?: string | undefined
  maxTimeoutSeconds: number
  extra?: Record<string, unknown> | null | undefined
}

/** The challenge embedded in the page (`#x402-payment-required`), v2 or v1. */
export type Challenge = {
  x402Version: 1 | 2
  resource?: unknown
  accepts: Requirement[]
  extensions?: Record<string, unknown> | undefined
}

/** The wire form of an authorization (decimal strings), as `ExactEvmPayload` carries it. */
type Authorization = {
  from: string
  to: string
  value: string
  validAfter: string
  validBefore: string
  nonce: string
}

// As `createAuthorization` in `@tollgate/evm`: `validAfter` lies this far in the past, for skew.
const validAfterSkewSeconds = 600

const domainType = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
]
const transferType = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
]

/** `bytes` random bytes from `crypto.getRandomValues`, as `0x`-hex. */
function randomHex(bytes: number): string {
  const values = crypto.getRandomValues(new Uint8Array(bytes))
  return `0x${Array.from(values, (byte) => byte.toString(16).padStart(2, '0')).join('')}`
}

/**
 * The authorization a requirement asks for, and its EIP-712 typed data as `eth_signTypedData_v4`
 * takes it (amounts and times as decimal strings, which wallets accept for `uint256`).
 */
export function authorize(
  requirement: Requirement,
  { from, chainId, nowMs }: { from: string; chainId: number; nowMs: number },
) {
  const { name, version } = requirement.extra ?? {}
  if (typeof name !== 'string' || typeof version !== 'string')
    throw new PageError(
      "The server did not name the token's signing domain (extra.name and extra.version): this page cannot pay it.",
    )
  const value = requirement.amount ?? requirement.maxAmountRequired ?? ''
  if (!/^\d+$/.test(value))
    throw new PageError('The server asked for an amount this page cannot read.')
  const seconds = Math.floor(nowMs / 1000)
  const authorization: Authorization = {
    from,
    to: requirement.payTo,
    value,
    validAfter: String(Math.max(seconds - validAfterSkewSeconds, 0)),
    validBefore: String(seconds + requirement.maxTimeoutSeconds),
    nonce: randomHex(32),
  }
  const typedData = {
    types: { EIP712Domain: domainType, TransferWithAuthorization: transferType },
    primaryType: 'TransferWithAuthorization',
    domain: { name, version, chainId, verifyingContract: requirement.asset },
    message: authorization,
  }
  return { authorization, typedData }
}

/** Base64 of the UTF-8 JSON of a value: the x402 header encoding. */
function encodeHeader(value: unknown): string {
  let binary = ''
  for (const byte of new TextEncoder().encode(JSON.stringify(value)))
    binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * The payment header: v2 `PAYMENT-SIGNATURE` (`accepted` is the requirement verbatim, `resource`
 * and `extensions` copied) or v1 `X-PAYMENT`. When the server declares the `payment-identifier`
 * extension the payment carries a fresh id, so sending it again gets the kept answer.
 */
export function paymentHeader(
  challenge: Challenge,
  requirement: Requirement,
  payload: { signature: string; authorization: Authorization },
): [name: string, value: string] {
  if (challenge.x402Version === 1) {
    const { scheme, network } = requirement
    return ['X-PAYMENT', encodeHeader({ x402Version: 1, scheme, network, payload })]
  }
  const { resource } = challenge
  const extensions = withPaymentId(challenge.extensions)
  return [
    'PAYMENT-SIGNATURE',
    encodeHeader({
      x402Version: 2,
      ...(resource ? { resource } : {}),
      accepted: requirement,
      payload,
      ...(extensions ? { extensions } : {}),
    }),
  ]
}

function withPaymentId(extensions: Challenge['extensions']): Challenge['extensions'] {
  const declared = extensions?.['payment-identifier'] as { info?: object } | undefined
  if (typeof declared !== 'object' || declared === null) return extensions
  const id = randomHex(16).slice(2)
  return { ...extensions, 'payment-identifier': { ...declared, info: { ...declared.info, id } } }
}
