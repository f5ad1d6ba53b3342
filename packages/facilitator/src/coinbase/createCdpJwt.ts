import { createPrivateKey, type KeyObject, randomBytes, sign } from 'node:crypto'
import { BaseError } from '@tollgate/core'

/** The key and the request a CDP JWT is signed for. */
export type CreateCdpJwtParameters = {
  /** The CDP API key id (the JWT's `kid` and `sub`). */
  apiKeyId: string
  /**
   * The CDP API key secret: an Ed25519 key (base64 of its 64 bytes: seed then public key) or an
   * EC P-256 key in PEM (SEC1 or PKCS#8).
   */
  apiKeySecret: string
  requestMethod: string
  /** Host (and port, if any) of the request, e.g. `api.cdp.coinbase.com`. */
  requestHost: string
  /** Path of the request, e.g. `/platform/v2/x402/verify`. */
  requestPath: string
  /** Lifetime, in seconds. @default 120 */
  expiresInSeconds?: number | undefined
  /** The clock, in milliseconds since the epoch (the claims hold it in seconds). @default Date.now */
  now?: (() => number) | undefined
}

/** The type of {@link CdpKeyError}. */
export type CdpKeyErrorType = CdpKeyError & { name: 'CdpKeyError' }

/** A CDP API key secret that is neither an Ed25519 key nor an EC PEM key. */
export class CdpKeyError extends BaseError {
  override name = 'CdpKeyError' as const

  constructor({ cause, details }: { cause?: unknown; details?: string | undefined } = {}) {
    super('The CDP API key secret is not an Ed25519 key (base64) or an EC key (PEM).', {
      code: 'TOLLGATE_CDP_KEY',
      cause,
      details,
    })
  }
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url')

function loadKey(secret: string): { key: KeyObject; alg: 'EdDSA' | 'ES256' } {
  const trimmed = secret.trim()
  try {
    if (trimmed.includes('-----BEGIN')) {
      // Keys copied from env files often carry literal "\n".
      return { key: createPrivateKey(trimmed.replace(/\\n/g, '\n')), alg: 'ES256' }
    }
    const raw = Buffer.from(trimmed, 'base64')
    // The key's length is not secret; its bytes are.
    if (raw.length !== 64)
      throw new CdpKeyError({ details: `An Ed25519 key is 64 bytes; this one is ${raw.length}.` })
    const key = createPrivateKey({
      format: 'jwk',
      key: {
        kty: 'OKP',
        crv: 'Ed25519',
        d: base64url(raw.subarray(0, 32)),
        x: base64url(raw.subarray(32)),
      },
    })
    return { key, alg: 'EdDSA' }
  } catch (cause) {
    throw cause instanceof CdpKeyError ? cause : new CdpKeyError({ cause })
  }
}

/**
 * A Coinbase Developer Platform bearer JWT for one request (what `@coinbase/cdp-sdk`'s
 * `generateJwt` makes): header `{ alg, kid, typ, nonce }`, claims `{ sub, iss: "cdp", nbf, exp,
 * uris: ["<METHOD> <host><path>"] }`, signed with the key's algorithm (EdDSA or ES256). Uses
 * `node:crypto` only.
 */
export function createCdpJwt({
  apiKeyId,
  apiKeySecret,
  requestMethod,
  requestHost,
  requestPath,
  expiresInSeconds = 120,
  now = Date.now,
}: CreateCdpJwtParameters): string {
  const issuedAt = Math.floor(now() / 1000)
  const { key, alg } = loadKey(apiKeySecret)
  const header = { alg, kid: apiKeyId, typ: 'JWT', nonce: randomBytes(16).toString('hex') }
  const claims = {
    sub: apiKeyId,
    iss: 'cdp',
    nbf: issuedAt,
    exp: issuedAt + expiresInSeconds,
    uris: [`${requestMethod.toUpperCase()} ${requestHost}${requestPath}`],
  }
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  const signature =
    alg === 'EdDSA'
      ? sign(null, Buffer.from(input), key)
      : sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' })
  return `${input}.${base64url(signature)}`
}
