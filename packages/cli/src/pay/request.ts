import { UsageError } from '../errors.js'

/** Request headers from `-H 'Name: value'` lines. */
export function parseHeaders(lines: readonly string[]): Headers {
  const headers = new Headers()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0)
      throw new UsageError({ message: `Bad header "${line}": expected 'Name: value'.` })
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
    } catch {
      throw new UsageError({ message: `Bad header "${line}": not a valid HTTP header.` })
    }
  }
  return headers
}

/** The URL to pay: http: or https: only. */
export function parseUrl(text: string | undefined): URL {
  if (text === undefined)
    throw new UsageError({ message: 'Missing <url>.', hint: 'Usage: tollgate pay <url> [options]' })
  if (!URL.canParse(text)) throw new UsageError({ message: `Bad URL "${text}".` })
  const url = new URL(text)
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError({ message: `Bad URL "${text}": only http: and https: can be paid.` })
  return url
}
