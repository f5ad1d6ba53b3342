/**
 * How the challenge's resource must match the URL that answered the 402:
 * - `'path'`: same origin and path (the query may differ: servers often leave it out);
 * - `'origin'`: same origin (for a server that names one resource for many paths);
 * - `'off'`: not checked.
 */
export type ResourceBinding = 'path' | 'origin' | 'off'

/**
 * Why `resource` does not name `url` under `binding`, or `undefined` when it does. A relative
 * resource is read against `url`.
 */
export function resourceMismatch(
  resource: string | undefined,
  url: URL,
  binding: ResourceBinding,
): string | undefined {
  if (binding === 'off') return undefined
  if (resource === undefined || resource === '') return 'the challenge names no resource'
  let parsed: URL
  try {
    parsed = new URL(resource, url)
  } catch {
    return `the resource "${resource}" is not a URL`
  }
  if (parsed.origin !== url.origin)
    return `the resource ${parsed.origin} is another origin than ${url.origin}, which was requested`
  if (binding === 'path' && parsed.pathname !== url.pathname)
    return `the resource path ${parsed.pathname} is not ${url.pathname}, which was requested`
  return undefined
}
