/**
 * Reason strings of this facilitator that the reference does not have (wire `invalidReason` /
 * `errorReason`; clients treat unknown reasons as opaque).
 */
export const facilitatorReasons = {
  /** The payer already has as much unsettled as the facilitator allows (`exposureCap`). */
  exposureCapExceeded: 'exposure_cap_exceeded',
} as const
