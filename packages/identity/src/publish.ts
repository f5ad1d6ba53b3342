import { UnsupportedPublishTargetError } from './errors.js'
import { toDataUri } from './fetchDocument.js'

/**
 * Where a document (registration, feedback, validation request) is published:
 * - `data`: inline as `data:application/json;base64,…` (fully on-chain, no server);
 * - `url`: at a URL the caller serves or uploads to. `upload` runs with the final document before
 *   the URI goes on-chain; it may return the URI (e.g. `ipfs://<cid>` after pinning), else `url`
 *   is used.
 */
export type Publish<document> =
  | { kind: 'data' }
  | {
      kind: 'url'
      url?: string | undefined
      /** Uploads or serves the document; a string it returns (or resolves to) is the URI. */
      upload?: ((document: document) => unknown) | undefined
      /** Accept a plain `http:` URL (tests on loopback). @default false */
      allowHttp?: boolean | undefined
    }

/** Publishes `json` and returns its URI. */
export async function publishDocument<document>(
  publish: Publish<document>,
  json: string,
  document: document,
): Promise<string> {
  if (publish.kind === 'data') return toDataUri(json)
  const uploaded = await publish.upload?.(document)
  const uri = (typeof uploaded === 'string' && uploaded) || publish.url
  if (!uri) throw new UnsupportedPublishTargetError({ uri: '(none: give url or upload)' })
  assertPublishable(uri, publish.allowHttp === true)
  return uri
}

/** Throws unless readers will accept the URI: https:, ipfs:, data: (http: when allowed). */
export function assertPublishable(uri: string, allowHttp: boolean): void {
  let protocol: string
  try {
    protocol = new URL(uri).protocol
  } catch {
    throw new UnsupportedPublishTargetError({ uri })
  }
  if (protocol === 'https:' || protocol === 'ipfs:' || protocol === 'data:') return
  if (protocol === 'http:' && allowHttp) return
  throw new UnsupportedPublishTargetError({ uri })
}
