import { expect, test } from 'vitest'
import * as entry from './redis.js'

// The public API changes only in a reviewed diff of this snapshot.
test('@tollgate/paywall/redis exports', () => {
  expect(Object.keys(entry).sort()).toMatchInlineSnapshot(`
    [
      "InvalidRedisStoreTtlError",
      "RedisStoreError",
      "createRedisStore",
    ]
  `)
})
