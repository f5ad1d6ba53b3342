import { FetchDocumentError } from './errors.js'

/** How agent documents (registration files, `.well-known` files, feedback files) are read. */
export type FetchDocumentParameters = {
  /**
   * Largest document accepted, in bytes (a data: URI's decoded size counts).
   * @default 262_144
   */
  maxBytes?: number | undefined
  /**
   * Time allowed for one document, headers and body, in milliseconds.
   * @default 10_000
   */
  timeoutMs?: number | undefined
  /**
   * Gateway `ipfs://<cid>/<path>` is read through, as `<gateway>/ipfs/<cid>/<path>`.
   * @default 'https://ipfs.io'
   */
  ipfsGateway?: string | undefined
  /**
   * Accept plain `http:` URIs. Off by default: an agent's file read over http can be swapped on
   * the way. Turn it on for tests on loopback.
   * @default false
   */
  allowHttp?: boolean | undefined
  /** @default globalThis.fetch */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined
  /** @default 3 */
  maxRedirects?: number | undefined
  /** Aborts the read. */
  signal?: AbortSignal | undefined
}

/** A document read from a URI. */
export type FetchedDocument = {
  bytes: Uint8Array
  /** The URL the bytes came from after redirects (the URI itself for data:). */
  url: string
  /** The `Content-Type` (or the data: URI's media type), lower case, without parameters. */
  contentType: string | undefined
}

const defaults = {
  maxBytes: 262_144,
  timeoutMs: 10_000,
  ipfsGateway: 'https://ipfs.io',
  maxRedirects: 3,
}

/**
 * Reads a `data:`, `https:` (or, when allowed, `http:`) or `ipfs:` URI within a size and a time
 * limit; throws `FetchDocumentError` with the reason.
 */
export async function fetchDocument(
  uri: string,
  options: FetchDocumentParameters = {},
): Promise<FetchedDocument> {
  const maxBytes = options.maxBytes ?? defaults.maxBytes
  if (uri.startsWith('data:')) return decodeDataUri(uri, maxBytes)
  const url = toHttpUrl(uri, options)
  return fetchHttp(url, uri, maxBytes, options)
}

/** `https://…` (or `http://…` when allowed) for a URI, with `ipfs://` mapped to the gateway. */
export function toHttpUrl(uri: string, options: FetchDocumentParameters = {}): URL {
  let url: URL
  try {
    url = new URL(uri)
  } catch (cause) {
    throw new FetchDocumentError({ reason: 'scheme', uri, cause })
  }
  if (url.protocol === 'ipfs:') {
    // ipfs://<cid>/<path> parses with the CID as host; some writers use ipfs://ipfs/<cid>.
    const path = `${url.host}${url.pathname}`.replace(/^ipfs\//, '')
    const gateway = (options.ipfsGateway ?? defaults.ipfsGateway).replace(/\/+$/, '')
    return toHttpUrl(`${gateway}/ipfs/${path}${url.search}`, options)
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && options.allowHttp === true))
    return url
  throw new FetchDocumentError({ reason: 'scheme', uri })
}

function decodeDataUri(uri: string, maxBytes: number): FetchedDocument {
  const comma = uri.indexOf(',')
  if (comma < 0) throw new FetchDocumentError({ reason: 'data_uri', uri })
  const meta = uri.slice(5, comma).split(';')
  const contentType = meta[0]?.trim().toLowerCase() || undefined
  const isBase64 = meta.slice(1).some((part) => part.trim().toLowerCase() === 'base64')
  const body = uri.slice(comma + 1)
  // Checked before decoding, so a huge URI is never decoded: base64 grows by 4/3, percent-encoding
  // by at most 3.
  const encodedLimit = isBase64 ? Math.ceil(maxBytes / 3) * 4 + 4 : maxBytes * 3
  if (body.length > encodedLimit)
    throw new FetchDocumentError({ reason: 'too_large', uri, limit: maxBytes })
  let bytes: Uint8Array
  if (isBase64) {
    const compact = body.replace(/\s+/g, '')
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) && !/^[A-Za-z0-9_-]*={0,2}$/.test(compact))
      throw new FetchDocumentError({ reason: 'data_uri', uri })
    try {
      bytes = base64ToBytes(compact.replace(/-/g, '+').replace(/_/g, '/'))
    } catch (cause) {
      throw new FetchDocumentError({ reason: 'data_uri', uri, cause })
    }
  } else {
    try {
      bytes = new TextEncoder().encode(decodeURIComponent(body))
    } catch (cause) {
      throw new FetchDocumentError({ reason: 'data_uri', uri, cause })
    }
  }
  if (bytes.byteLength > maxBytes)
    throw new FetchDocumentError({ reason: 'too_large', uri, limit: maxBytes })
  return { bytes, url: uri, contentType }
}

async function fetchHttp(
  start: URL,
  uri: string,
  maxBytes: number,
  options: FetchDocumentParameters,
): Promise<FetchedDocument> {
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs
  const maxRedirects = options.maxRedirects ?? defaults.maxRedirects
  const fetchFn = options.fetch ?? ((input: string, init: RequestInit) => fetch(input, init))
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout
  const fail = (error: unknown): never => {
    if (error instanceof FetchDocumentError) throw error
    if (timeout.aborted)
      throw new FetchDocumentError({ reason: 'timeout', uri, limit: timeoutMs, cause: error })
    throw new FetchDocumentError({ reason: 'network', uri, cause: error })
  }

  let url = start
  try {
    for (let hop = 0; ; hop++) {
      // Redirects are followed by hand so each target passes the scheme check (no https -> http).
      const response = await fetchFn(url.href, {
        method: 'GET',
        redirect: 'manual',
        signal,
        headers: { accept: 'application/json' },
      })
      if (response.status >= 300 && response.status < 400 && response.headers.has('location')) {
        await response.body?.cancel()
        if (hop >= maxRedirects) throw new FetchDocumentError({ reason: 'redirect', uri })
        const next = new URL(response.headers.get('location')!, url)
        try {
          url = toHttpUrl(next.href, options)
        } catch (cause) {
          throw new FetchDocumentError({ reason: 'redirect', uri, cause })
        }
        continue
      }
      if (!response.ok) {
        await response.body?.cancel()
        throw new FetchDocumentError({ reason: 'status', uri, status: response.status })
      }
      const declared = Number(response.headers.get('content-length'))
      if (Number.isFinite(declared) && declared > maxBytes) {
        await response.body?.cancel()
        throw new FetchDocumentError({ reason: 'too_large', uri, limit: maxBytes })
      }
      const bytes = await readLimited(response, maxBytes, uri)
      const contentType =
        response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined
      return { bytes, url: url.href, contentType }
    }
  } catch (error) {
    return fail(error)
  }
}

/** Reads the body, stopping (and cancelling the stream) as soon as it passes `maxBytes`. */
async function readLimited(response: Response, maxBytes: number, uri: string): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array()
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw new FetchDocumentError({ reason: 'too_large', uri, limit: maxBytes })
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  return bytes
}

/** `data:application/json;base64,<base64 of the UTF-8 JSON>`: the ERC's on-chain form. */
export function toDataUri(json: string): string {
  return `data:application/json;base64,${bytesToBase64(new TextEncoder().encode(json))}`
}

// btoa/atob rather than Buffer, so the package runs in browsers too.
function bytesToBase64(bytes: Uint8Array): string {
  let binary = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(binary)
}

function base64ToBytes(base64: string): Uint8Array {
  const padded = base64.padEnd(base64.length + ((4 - (base64.length % 4)) % 4), '=')
  const binary = atob(padded)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
