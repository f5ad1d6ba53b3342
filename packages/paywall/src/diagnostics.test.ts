import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { expect, test } from 'vitest'
import { paywallChannels, publish } from './diagnostics.js'

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void

test('a subscriber keeps hearing the paywall after a garbage collection', async () => {
  const name = paywallChannels.storeError
  // Published with no one listening: the channel object exists, and nothing else holds it.
  publish(name, () => ({ first: true }))
  await new Promise((resolve) => setTimeout(resolve, 0))
  // Node 20: if that channel is collected here, the subscriber below gets a new one, and the old
  // one's finalizer then drops the name, so that the next publish would make a third channel.
  gc()
  const heard: unknown[] = []
  const listener = (message: unknown) => void heard.push(message)
  subscribe(name, listener)
  try {
    await new Promise((resolve) => setTimeout(resolve, 20))
    gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
    publish(name, () => ({ second: true }))
    expect(heard).toEqual([{ second: true }])
  } finally {
    unsubscribe(name, listener)
  }
})
