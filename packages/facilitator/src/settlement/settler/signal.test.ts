import { describe, expect, test } from 'vitest'
import { createSignal } from './signal.js'

describe('createSignal', () => {
  test('notify ends every wait in progress, long before its time', async () => {
    const signal = createSignal()
    const ended: number[] = []
    const waits = [1, 2].map((i) => signal.wait(3_600_000).then(() => ended.push(i)))
    await Promise.resolve()
    expect(ended).toEqual([])
    signal.notify()
    await Promise.all(waits)
    expect(ended).toEqual([1, 2])
  })

  test('a wait ends at its time without a notify; a later notify finds no waiter', async () => {
    const signal = createSignal()
    await signal.wait(0)
    signal.notify()
    const pending = signal.wait(3_600_000)
    let ended = false
    void pending.then(() => {
      ended = true
    })
    await Promise.resolve()
    expect(ended).toBe(false)
    signal.notify()
    await pending
    expect(ended).toBe(true)
  })
})
