import {
  type PaymentRequirements,
  type PaymentRequirementsV1,
  type ResourceInfo,
  requirementsToV1,
} from '@tollgate/core'
import type { ResolvedOffer } from './resolveOffer.js'

/** The `resource` of the challenge. */
export function getResource(
  route: ResolvedOffer<never> | ResolvedOffer<unknown>,
  url: string,
): ResourceInfo {
  return { url: route.resource ?? url, description: route.description, mimeType: route.mimeType }
}

/**
 * The v1 form of a requirement, for legacy clients: `maxAmountRequired`, the v1 network name
 * (or the CAIP-2 id on a chain v1 has no name for), the resource fields per requirement, and the
 * route's `outputSchema`.
 */
export function toV1Requirement(
  requirement: PaymentRequirements,
  resource: ResourceInfo,
  outputSchema: Record<string, unknown> | undefined,
): PaymentRequirementsV1 {
  const converted = requirementsToV1(requirement, resource)
  return outputSchema ? { ...converted, outputSchema } : converted
}
