import { expect, test } from 'vitest'
import { readSettlementValue } from './settlementReading.js'

test('a settlement carried as a JSON value: none, one, or unreadable', () => {
  expect(readSettlementValue(undefined)).toEqual({ present: false })
  expect(readSettlementValue(null)).toEqual({ present: false })
  const settled = {
    success: true,
    transaction: `0x${'ab'.repeat(32)}`,
    network: 'eip155:84532',
    payer: '0x2222222222222222222222222222222222222222',
  }
  expect(readSettlementValue(settled)).toEqual({ present: true, response: settled })
  const unreadable = readSettlementValue({ success: 'yes' })
  expect(unreadable).toMatchObject({ present: true, response: undefined })
  expect((unreadable as { error: unknown }).error).toBeInstanceOf(Error)
})
