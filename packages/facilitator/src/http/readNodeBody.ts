import type { IncomingMessage } from 'node:http'
import { finished } from 'node:stream'
import type { FacilitatorHttpBody } from './facilitatorExchange.js'

/**
 * Reads a `node:http` request body as Buffers, giving up (`tooLarge`) as soon as it passes
 * `maxBytes`. The rest of a body given up on keeps flowing and is dropped, so the connection
 * reaches the next request (a client that pools connections must not find it stuck or reset).
 * Rejects with the stream's error when the client goes away mid-body.
 */
export function readNodeBody(req: IncomingMessage, maxBytes: number): Promise<FacilitatorHttpBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) {
        chunks.push(chunk)
        return
      }
      stop()
      req.resume()
      resolve({ kind: 'tooLarge' })
    }
    const stopWatching = finished(req, { writable: false }, (error) => {
      stop()
      if (error) reject(error)
      else
        resolve({
          kind: 'read',
          bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size),
        })
    })
    const stop = () => {
      req.off('data', onData)
      stopWatching()
    }
    req.on('data', onData)
  })
}
