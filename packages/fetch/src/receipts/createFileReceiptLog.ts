import { appendFile, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { InvalidReceiptLogError } from '../errors.js'
import { parseReceipt, serializeReceipt } from './receipt.js'
import type { ReceiptLog } from './receiptLog.js'

/**
 * Keeps receipts in a JSON-lines file, one receipt per line, appended and never rewritten, so the
 * log survives a restart and can be read by other tools. The file and its folder are created on
 * the first append. A last line cut short by a crash is skipped when reading.
 */
export function createFileReceiptLog(path: string): ReceiptLog {
  // Appends run one after another so lines never interleave within this process.
  let tail: Promise<unknown> = Promise.resolve()
  let ready: Promise<unknown> | undefined

  return {
    append(receipt) {
      const line = `${serializeReceipt(receipt)}\n`
      const write = tail.then(async () => {
        ready ??= mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
          ready = undefined
          throw error
        })
        await ready
        await appendFile(path, line, { encoding: 'utf8', flag: 'a' })
      })
      tail = write.catch(() => undefined)
      return write
    },
    async list() {
      await tail
      let text: string
      try {
        text = await readFile(path, 'utf8')
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
        throw error
      }
      const lines = text.split('\n')
      const complete = text.endsWith('\n')
      return lines.flatMap((line, index) => {
        if (line === '') return []
        const last = index === lines.length - 1
        try {
          return [parseReceipt(line)]
        } catch (cause) {
          if (last && !complete) return []
          throw new InvalidReceiptLogError({ path, line: index + 1, cause })
        }
      })
    },
  }
}
