import type { FileHandle } from 'node:fs/promises'
import { mkdir, open, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { InvalidReceiptLogError } from '../errors/receiptLog.js'
import { parseReceipt, serializeReceipt } from './receipt.js'
import type { ReceiptLog } from './receiptLog.js'

/**
 * Keeps receipts in a JSON-lines file, one receipt per line, appended and never rewritten, so the
 * log survives a restart and can be read by other tools. Node only (`@tollgate/payer/node`, also
 * `@tollgate/fetch/node`).
 *
 * Durable: an append resolves once its line is on disk (`fdatasync`), so a record written ahead
 * of a payment survives a crash or a power cut. A crash can only cut the last line short; the
 * first use of the log (`append` or `list`) repairs that tail before anything else: a cut line is
 * removed (it was never acknowledged), a whole one missing only its newline gets it. The file and
 * its folder are created on the first append.
 *
 * @example
 * import { wrapFetch } from '@tollgate/fetch'
 * import { createFileReceiptLog } from '@tollgate/fetch/node'
 *
 * const pay = wrapFetch(fetch, { account, receipts: createFileReceiptLog('./receipts.jsonl') })
 */
export function createFileReceiptLog(path: string): ReceiptLog {
  // Operations run one after another so lines never interleave within this process, and a list
  // sees every append made before it.
  let queue: Promise<unknown> = Promise.resolve()
  let repaired: Promise<{ existed: boolean }> | undefined
  let synced = false

  function inOrder<result>(run: () => Promise<result>): Promise<result> {
    const next = queue.then(run)
    queue = next.catch(() => undefined)
    return next
  }

  function repair() {
    repaired ??= repairTail(path).catch((error: unknown) => {
      repaired = undefined
      throw error
    })
    return repaired
  }

  return {
    append(receipt) {
      const line = `${serializeReceipt(receipt)}\n`
      return inOrder(async () => {
        const { existed } = await repair()
        if (!existed && !synced) await mkdir(dirname(path), { recursive: true })
        await appendDurably(path, line)
        // A new file's name must reach the disk too, or a power cut can lose the whole file.
        if (!existed && !synced) await syncDirectory(dirname(path))
        synced = true
      })
    },
    list() {
      return inOrder(async () => {
        await repair()
        return readLog(path)
      })
    },
  }
}

/** Appends one line and waits until it is on disk. */
async function appendDurably(path: string, line: string): Promise<void> {
  const handle = await open(path, 'a')
  try {
    await handle.writeFile(line, 'utf8')
    await handle.datasync()
  } finally {
    await handle.close()
  }
}

/**
 * Makes the file end with a whole line: a last line cut short by a crash is cut off (its append
 * never resolved, so nothing relied on it), a whole receipt missing its newline is ended.
 */
export async function repairTail(path: string): Promise<{ existed: boolean }> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r+')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { existed: false }
    throw error
  }
  try {
    const { size } = await handle.stat()
    const start = await lastLineStart(handle, size)
    if (start === size) return { existed: true }
    const { buffer } = await handle.read(Buffer.alloc(size - start), 0, size - start, start)
    if (isReceipt(buffer.toString('utf8'))) await handle.write('\n', size, 'utf8')
    else await handle.truncate(start)
    await handle.datasync()
    return { existed: true }
  } finally {
    await handle.close()
  }
}

/** The offset just after the file's last newline (0 when it has none). */
async function lastLineStart(handle: FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024)
  let end = size
  while (end > 0) {
    const length = Math.min(chunk.length, end)
    const { bytesRead } = await handle.read(chunk, 0, length, end - length)
    const newline = chunk.subarray(0, bytesRead).lastIndexOf(0x0a)
    if (newline !== -1) return end - length + newline + 1
    end -= length
  }
  return 0
}

function isReceipt(line: string): boolean {
  try {
    parseReceipt(line)
    return true
  } catch {
    return false
  }
}

/** Every receipt of the file; a line that is not one throws (a last line being written is skipped). */
async function readLog(path: string) {
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
    try {
      return [parseReceipt(line)]
    } catch (cause) {
      if (index === lines.length - 1 && !complete) return []
      throw new InvalidReceiptLogError({ path, line: index + 1, cause })
    }
  })
}

/** `fsync` of a folder, where the platform allows it (not on Windows). */
async function syncDirectory(path: string): Promise<void> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    if (['EISDIR', 'EPERM', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) return
    throw error
  }
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}
