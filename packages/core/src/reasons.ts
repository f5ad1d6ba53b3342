/**
 * Wire reason strings (`invalidReason`, `errorReason`), spelled exactly as the reference
 * implementation spells them so they pass through unchanged. Keys are the camelCase of the
 * string. Sources are named per group; `reasons.test.ts` checks them against the installed
 * reference packages.
 */

/**
 * The exact EVM scheme (`@x402/evm` `src/exact/facilitator/errors.ts`, kept identical to Go).
 */
export const exactEvmReasons = {
  assetNotDeployedContract: 'asset_not_deployed_contract',
  // General verification.
  invalidExactEvmScheme: 'invalid_exact_evm_scheme',
  invalidExactEvmNetworkMismatch: 'invalid_exact_evm_network_mismatch',
  invalidExactEvmMissingEip712Domain: 'invalid_exact_evm_missing_eip712_domain',
  invalidExactEvmRecipientMismatch: 'invalid_exact_evm_recipient_mismatch',
  invalidExactEvmSignature: 'invalid_exact_evm_signature',
  invalidExactEvmPayloadAuthorizationValidBefore:
    'invalid_exact_evm_payload_authorization_valid_before',
  invalidExactEvmPayloadAuthorizationValidAfter:
    'invalid_exact_evm_payload_authorization_valid_after',
  invalidExactEvmAuthorizationValue: 'invalid_exact_evm_authorization_value',
  invalidExactEvmPayloadAuthorizationValueMismatch:
    'invalid_exact_evm_payload_authorization_value_mismatch',
  invalidExactEvmPayloadUndeployedSmartWallet: 'invalid_exact_evm_payload_undeployed_smart_wallet',
  invalidExactEvmTransactionFailed: 'invalid_exact_evm_transaction_failed',
  invalidExactEvmTransferEventMismatch: 'invalid_exact_evm_transfer_event_mismatch',
  // EIP-3009.
  invalidExactEvmTokenNameMismatch: 'invalid_exact_evm_token_name_mismatch',
  invalidExactEvmTokenVersionMismatch: 'invalid_exact_evm_token_version_mismatch',
  invalidExactEvmEip3009NotSupported: 'invalid_exact_evm_eip3009_not_supported',
  invalidExactEvmNonceAlreadyUsed: 'invalid_exact_evm_nonce_already_used',
  invalidExactEvmInsufficientBalance: 'invalid_exact_evm_insufficient_balance',
  invalidExactEvmTransactionSimulationFailed: 'invalid_exact_evm_transaction_simulation_failed',
  // Permit2.
  invalidPermit2Spender: 'invalid_permit2_spender',
  invalidPermit2RecipientMismatch: 'invalid_permit2_recipient_mismatch',
  permit2DeadlineExpired: 'permit2_deadline_expired',
  permit2NotYetValid: 'permit2_not_yet_valid',
  permit2AmountMismatch: 'permit2_amount_mismatch',
  permit2TokenMismatch: 'permit2_token_mismatch',
  invalidPermit2Signature: 'invalid_permit2_signature',
  permit2AllowanceRequired: 'permit2_allowance_required',
  permit2SimulationFailed: 'permit2_simulation_failed',
  permit2InsufficientBalance: 'permit2_insufficient_balance',
  permit2ProxyNotDeployed: 'permit2_proxy_not_deployed',
  permit2InvalidAmount: 'permit2_invalid_amount',
  permit2InvalidDestination: 'permit2_invalid_destination',
  permit2InvalidOwner: 'permit2_invalid_owner',
  permit2PaymentTooEarly: 'permit2_payment_too_early',
  permit2InvalidNonce: 'permit2_invalid_nonce',
  permit22612AmountMismatch: 'permit2_2612_amount_mismatch',
  // ERC-20 approval gas sponsoring.
  invalidErc20ApprovalExtensionFormat: 'invalid_erc20_approval_extension_format',
  erc20ApprovalFromMismatch: 'erc20_approval_from_mismatch',
  erc20ApprovalAssetMismatch: 'erc20_approval_asset_mismatch',
  erc20ApprovalSpenderNotPermit2: 'erc20_approval_spender_not_permit2',
  erc20ApprovalTxWrongTarget: 'erc20_approval_tx_wrong_target',
  erc20ApprovalTxWrongSelector: 'erc20_approval_tx_wrong_selector',
  erc20ApprovalTxWrongSpender: 'erc20_approval_tx_wrong_spender',
  erc20ApprovalTxInvalidCalldata: 'erc20_approval_tx_invalid_calldata',
  erc20ApprovalTxSignerMismatch: 'erc20_approval_tx_signer_mismatch',
  erc20ApprovalTxInvalidSignature: 'erc20_approval_tx_invalid_signature',
  erc20ApprovalTxParseFailed: 'erc20_approval_tx_parse_failed',
  erc20ApprovalTxFailed: 'erc20_approval_tx_failed',
  erc20ApprovalBroadcastFailed: 'erc20_approval_broadcast_failed',
  // EIP-2612 gas sponsoring.
  invalidEip2612ExtensionFormat: 'invalid_eip2612_extension_format',
  eip2612FromMismatch: 'eip2612_from_mismatch',
  eip2612AssetMismatch: 'eip2612_asset_mismatch',
  eip2612SpenderNotPermit2: 'eip2612_spender_not_permit2',
  eip2612DeadlineExpired: 'eip2612_deadline_expired',
  // Shared settlement.
  invalidExactEvmFailedToParseSignature: 'invalid_exact_evm_failed_to_parse_signature',
  unsupportedPayloadType: 'unsupported_payload_type',
  invalidTransactionState: 'invalid_transaction_state',
  eip6492FactoryNotAllowed: 'eip6492_factory_not_allowed',
  smartWalletDeploymentFailed: 'smart_wallet_deployment_failed',
  /** Broadcast succeeded but the receipt did not arrive in time; `transaction` holds the hash. */
  settlementPending: 'settlement_pending',
} as const

/** The `upto` scheme on EVM (`@x402/evm` `src/upto/facilitator/errors.ts`). */
export const uptoEvmReasons = {
  invalidUptoEvmTransactionFailed: 'invalid_upto_evm_transaction_failed',
  invalidUptoEvmScheme: 'invalid_upto_evm_scheme',
  invalidUptoEvmNetworkMismatch: 'invalid_upto_evm_network_mismatch',
  invalidUptoEvmPayloadSettlementExceedsAmount:
    'invalid_upto_evm_payload_settlement_exceeds_amount',
  uptoAmountExceedsPermitted: 'upto_amount_exceeds_permitted',
  uptoUnauthorizedFacilitator: 'upto_unauthorized_facilitator',
  uptoFacilitatorMismatch: 'upto_facilitator_mismatch',
} as const

/** Reasons raised by the reference resource server and facilitator (`@x402/core`). */
export const coreReasons = {
  extensionEchoMismatch: 'extension_echo_mismatch',
  // Hook aborts in `x402Facilitator` (reference 2.10; not in every later release).
  beforeVerifyHookError: 'before_verify_hook_error',
  beforeSettleHookError: 'before_settle_hook_error',
} as const

/** The error codes listed in the x402 v2 specification, section 9. */
export const specReasons = {
  insufficientFunds: 'insufficient_funds',
  invalidExactEvmPayloadAuthorizationValue: 'invalid_exact_evm_payload_authorization_value',
  invalidExactEvmPayloadSignature: 'invalid_exact_evm_payload_signature',
  invalidExactEvmPayloadRecipientMismatch: 'invalid_exact_evm_payload_recipient_mismatch',
  invalidNetwork: 'invalid_network',
  invalidPayload: 'invalid_payload',
  invalidPaymentRequirements: 'invalid_payment_requirements',
  invalidScheme: 'invalid_scheme',
  unsupportedScheme: 'unsupported_scheme',
  invalidX402Version: 'invalid_x402_version',
  unexpectedVerifyError: 'unexpected_verify_error',
  unexpectedSettleError: 'unexpected_settle_error',
} as const

/** Reasons only the legacy v1 packages use (`x402` `src/types/verify/x402Specs.ts`). */
export const legacyReasons = {
  paymentExpired: 'payment_expired',
  invalidPayment: 'invalid_payment',
  duplicateSettlement: 'duplicate_settlement',
} as const

/** Every reference reason string, keyed by its camelCase. */
export const reasons = {
  ...specReasons,
  ...legacyReasons,
  ...coreReasons,
  ...exactEvmReasons,
  ...uptoEvmReasons,
} as const

/** A reference reason string. Wire values stay `string`: other facilitators send their own. */
export type Reason = (typeof reasons)[keyof typeof reasons]
