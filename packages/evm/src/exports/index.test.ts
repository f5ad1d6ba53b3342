import { expect, test } from 'vitest'
import * as evm from './index.js'

test('exports', () => {
  expect(Object.keys(evm).sort()).toMatchInlineSnapshot(`
    [
      "AccountNotFoundError",
      "AuthorizationEventSearchError",
      "ChainMismatchError",
      "InvalidAuthorizationError",
      "MissingEip712DomainError",
      "NoExactEvmRequirementsError",
      "NotATokenError",
      "assets",
      "createAuthorization",
      "createNonce",
      "createPaymentPayload",
      "eip3009Abi",
      "erc1271Abi",
      "erc1271MagicValue",
      "erc20Abi",
      "findAuthorizationEvent",
      "fromWireAuthorization",
      "getAsset",
      "getAuthorizationDomain",
      "getDefaultAsset",
      "getDomainSeparator",
      "getSettlementCall",
      "getSettlementErrorReason",
      "getTransferWithAuthorizationTypedData",
      "hashTransferWithAuthorization",
      "isErc6492Signature",
      "normalizePayment",
      "readAsset",
      "readAuthorizationState",
      "readTokenDomain",
      "recoverEcdsaSigner",
      "settleAuthorization",
      "signAuthorization",
      "splitSignature",
      "toWireAuthorization",
      "transferWithAuthorizationTypes",
      "unwrapErc6492Signature",
      "verifyAuthorization",
      "verifyPayment",
    ]
  `)
})
