/**
 * Reason strings of this facilitator that the reference does not have (wire `invalidReason` /
 * `errorReason`, and the status endpoint's `reason`; clients treat unknown reasons as opaque).
 */
export const facilitatorReasons = {
  /** The payer already has as much unsettled as the facilitator allows (`exposureCap`). */
  exposureCapExceeded: 'exposure_cap_exceeded',
  /** The payer canceled the authorization on-chain (`AuthorizationCanceled`) before it settled. */
  authorizationCanceled: 'authorization_canceled',
  /**
   * The authorization's nonce is spent on-chain but no transfer or cancellation is proven yet (the
   * node would not serve the logs): the settlement stays open and is looked up again.
   */
  authorizationOutcomeUnknown: 'authorization_outcome_unknown',
} as const
