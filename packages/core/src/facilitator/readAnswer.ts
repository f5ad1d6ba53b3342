import type { z } from 'zod'
import { FacilitatorError, type FacilitatorOperation } from '../errors/facilitator.js'
import type { ExchangeAnswer } from './exchange.js'

// Bodies are JSON of a few hundred bytes; an HTML error page is cut off here.
const maxBodyChars = 1_000_000

/**
 * Reads a facilitator's answer against the operation's schema. /verify and /settle answers count
 * whatever the status (CDP sends 400 with one); /supported and status answers only with a 2xx (a
 * 404 of the status endpoint is "unknown": `undefined`).
 */
export function readAnswer<schema extends z.ZodType>(
  operation: FacilitatorOperation,
  url: string,
  schema: schema,
  { status, text }: ExchangeAnswer,
): z.output<schema> {
  const refuse = (reason: string, cause?: unknown) =>
    new FacilitatorError({ operation, url, status, body: text, reason, cause })
  if (text.length > maxBodyChars)
    throw refuse(`HTTP ${status}, response body over ${maxBodyChars} characters.`)
  if (operation === 'status' && status === 404) return undefined as z.output<schema>
  const ok = status >= 200 && status < 300
  if (!ok && (operation === 'supported' || operation === 'status')) throw refuse(`HTTP ${status}.`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw refuse(`HTTP ${status}, body is not JSON.`, error)
  }
  const result = schema.safeParse(json)
  if (result.success) return result.data as z.output<schema>
  throw refuse(`HTTP ${status}, body is not a ${operation} response.`, result.error)
}
