import { type PaymentPayload, paymentIdentifierKey, paymentIdSchema } from '@tollgate/core'

/** The extension as the 402 declares it (`extensions['payment-identifier']`). */
export function declarePaymentIdentifier(required: boolean) {
  return {
    info: { required },
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        required: { type: 'boolean' },
        id: { type: 'string', minLength: 16, maxLength: 128, pattern: '^[a-zA-Z0-9_-]+$' },
      },
      required: ['required'],
    },
  }
}

/**
 * The identifier a payload carries: a string, `undefined` when there is none, or `null` when the
 * extension is there but its `id` is malformed.
 */
export function readPaymentIdentifier(payload: PaymentPayload): string | null | undefined {
  const extension = (payload.extensions as Record<string, unknown> | undefined)?.[
    paymentIdentifierKey
  ]
  if (extension === undefined || extension === null || typeof extension !== 'object')
    return undefined
  const info = (extension as { info?: unknown }).info
  if (info === undefined || info === null || typeof info !== 'object') return undefined
  const id = (info as { id?: unknown }).id
  if (id === undefined) return undefined
  return paymentIdSchema.safeParse(id).success ? (id as string) : null
}
