import { expect, test } from 'vitest'
import { createLocks } from './locks.js'

/** A promise and the function that resolves it. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { opened, open }
}

test('the calls of one key run one after another, in order; other keys run alongside', async () => {
  const locks = createLocks()
  const events: string[] = []
  const first = gate()
  const a1 = locks.run('a', async () => {
    events.push('a1 start')
    await first.opened
    events.push('a1 end')
    return 1
  })
  const a2 = locks.run('a', async () => {
    events.push('a2')
    return 2
  })
  const b = locks.run('b', async () => {
    events.push('b')
    return 3
  })
  await b
  // `b` ran while `a1` waits; `a2` waits for `a1`.
  expect(events).toEqual(['a1 start', 'b'])
  first.open()
  expect(await Promise.all([a1, a2])).toEqual([1, 2])
  expect(events).toEqual(['a1 start', 'b', 'a1 end', 'a2'])
})

test('a call that fails releases the lock, and its caller gets the failure', async () => {
  const locks = createLocks()
  const failed = locks.run('a', async () => {
    throw new Error('boom')
  })
  const next = locks.run('a', async () => 'ran')
  await expect(failed).rejects.toThrow('boom')
  expect(await next).toBe('ran')
})
