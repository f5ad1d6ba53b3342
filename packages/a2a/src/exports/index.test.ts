import { expect, test } from 'vitest'
import * as exports from './index.js'

test('exports', () => {
  expect(Object.keys(exports).sort()).toMatchInlineSnapshot(`
    [
      "PaidSkillConfigurationError",
      "TaskPaymentError",
      "declareX402Extension",
      "isX402ExtensionUri",
      "readPaymentStatus",
      "x402ErrorCodes",
      "x402ExtensionUris",
      "x402MetadataKeys",
      "x402PaymentStatuses",
    ]
  `)
})
