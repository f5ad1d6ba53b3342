import { expect, test } from 'vitest'
import * as facilitatorClient from './facilitator-client.js'
import * as core from './index.js'

// The public API changes only in a reviewed diff of these snapshots.
test('@tollgate/core exports', () => {
  expect(Object.keys(core)).toMatchInlineSnapshot(`
    [
      "BaseError",
      "isTollgateError",
      "FacilitatorError",
      "FacilitatorTimeoutError",
      "HeaderTooLargeError",
      "InvalidBase64Error",
      "InvalidJsonError",
      "SchemaValidationError",
      "InvalidMoneyError",
      "NotEvmNetworkError",
      "UnknownNetworkError",
      "PaymentSettlementError",
      "PaymentVerificationError",
      "PaymentRequiredNotFoundError",
      "UnsupportedX402VersionError",
      "isSettlementPending",
      "settlementModes",
      "decodeHeader",
      "decodePaymentRequiredHeader",
      "decodePaymentResponseHeader",
      "decodePaymentSignatureHeader",
      "decodeXPaymentHeader",
      "encodeHeader",
      "encodePaymentRequiredHeader",
      "encodePaymentResponseHeader",
      "encodePaymentSignatureHeader",
      "encodeXPaymentHeader",
      "headerNames",
      "formatMoney",
      "parseAtomicAmount",
      "parseMoney",
      "getEvmChainId",
      "parseNetwork",
      "toCaip2",
      "toV1Network",
      "v1Networks",
      "coreReasons",
      "exactEvmReasons",
      "legacyReasons",
      "reasons",
      "specReasons",
      "uptoEvmReasons",
      "exactEvmAuthorizationSchema",
      "exactEvmPayloadSchema",
      "extensionSchema",
      "extensionsSchema",
      "paymentIdentifierExtensionSchema",
      "paymentIdentifierKey",
      "paymentIdSchema",
      "settleRequestSchema",
      "verifyRequestSchema",
      "addressSchema",
      "isUint256String",
      "nonEmptyStringSchema",
      "recordSchema",
      "uint256StringSchema",
      "paymentPayloadV1Schema",
      "paymentRequiredV1Schema",
      "paymentRequirementsV1Schema",
      "supportedResponseV1Schema",
      "caip2NetworkSchema",
      "paymentPayloadSchema",
      "paymentRequiredSchema",
      "paymentRequirementsSchema",
      "resourceInfoSchema",
      "settleResponseSchema",
      "supportedKindSchema",
      "supportedResponseSchema",
      "verifyResponseSchema",
      "parsePaymentRequiredResponse",
      "requirementsFromV1",
      "requirementsToV1",
      "resourceFromV1",
    ]
  `)
})

test('@tollgate/core/facilitator-client exports', () => {
  expect(Object.keys(facilitatorClient)).toMatchInlineSnapshot(`
    [
      "FacilitatorError",
      "FacilitatorTimeoutError",
      "createHttpFacilitatorClient",
    ]
  `)
})

test('the main entry has no I/O: the HTTP client is only in its own entry', () => {
  expect(core).not.toHaveProperty('createHttpFacilitatorClient')
  expect(facilitatorClient.FacilitatorError).toBe(core.FacilitatorError)
})
