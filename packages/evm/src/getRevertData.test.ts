import { BaseError, RpcRequestError } from 'viem'
import { expect, test } from 'vitest'
import { getRevertData } from './getRevertData.js'

const data = '0x08c379a0000000000000000000000000000000000000000000000000000000000000002' as const

test('revert data at error.data, at error.data.data, or down the cause chain', () => {
  expect(getRevertData({ data })).toBe(data)
  expect(getRevertData({ data: { data } })).toBe(data)
  // A node's JSON-RPC error, wrapped by viem as the cause of a higher-level error.
  const rpc = new RpcRequestError({
    body: {},
    url: 'http://node',
    error: { code: 3, message: 'execution reverted', data },
  })
  expect(getRevertData(new BaseError('call failed', { cause: rpc }))).toBe(data)
})

test('none: no data, data that is not hex, data deeper than ten causes', () => {
  expect(getRevertData(new Error('boom'))).toBeUndefined()
  expect(getRevertData({ data: 'not hex' })).toBeUndefined()
  expect(getRevertData(undefined)).toBeUndefined()
  let deep: { cause?: unknown; data?: unknown } = { data }
  for (let i = 0; i < 10; i++) deep = { cause: deep }
  // Deeper than ten causes is not searched.
  expect(getRevertData(deep)).toBeUndefined()
})
