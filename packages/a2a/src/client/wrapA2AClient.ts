import type { Message, Task } from '@a2a-js/sdk'
import type { Client, RequestOptions } from '@a2a-js/sdk/client'
import {
  type CreatePayerParameters,
  createPayer,
  type PayErrorType,
  type Payer,
  type PurchaseOptions,
  type Purchases,
  type Receipt,
  resolvePurchase,
} from '@tollgate/payer'
import type { TaskPaymentErrorType } from '../errors.js'
import { x402ExtensionUris } from '../extension.js'
import { type A2AEndpoint, sendPaying } from './sendPaying.js'

/** Parameters of {@link wrapA2AClient}: the payer's (signer, policy, receipts, reconciliation). */
export type WrapA2AClientParameters = Omit<CreatePayerParameters, 'channels' | 'fetch'> & {
  /**
   * Send `payment-rejected` on a task the policy refuses to pay (nothing is signed either way),
   * so the merchant ends it. @default true
   */
  rejectRefused?: boolean | undefined
}

/** The request of `sendMessage`, as `@a2a-js/sdk`'s `Client` takes it. */
export type SendMessageParameters = Parameters<Client['sendMessage']>[0]

/** Options of one paid send: the SDK's, and the purchase it is (retries re-send its payment). */
export type PaidSendOptions = RequestOptions & { purchase?: PurchaseOptions | undefined }

/** What a paid send returns: the agent's answer, and the payment's receipt if one was made. */
export type PaidSendResult = {
  /** The final task (or the agent's message, for a skill that is not paid). */
  result: Message | Task
  /** The receipt of the payment made for it; `undefined` when nothing was paid. */
  receipt: Receipt | undefined
}

/** An A2A client that pays the tasks it starts. */
export type PaidA2AClient = {
  /**
   * Sends a message; when the task asks for a payment (`input-required`, `payment-required`),
   * pays it under the policy, sends the payload on the same task and returns the final task with
   * the receipt. One payment per call.
   */
  sendMessage(params: SendMessageParameters, options?: PaidSendOptions): Promise<PaidSendResult>
  /** The purchases made: state, reconciliation, cancellation. */
  readonly purchases: Purchases
  /** The payer (its policy's `usage()` reads the budgets). */
  readonly payer: Payer
}

/** What `PaidA2AClient.sendMessage` rejects with, besides what the SDK's client throws. */
export type PaidSendErrorType = PayErrorType | TaskPaymentErrorType

/**
 * Wraps an `@a2a-js/sdk` client (from its `ClientFactory`) so that tasks asking for an x402
 * payment are paid through the payer engine: the policy decides before anything is signed
 * (budgets, prices, the payee's ERC-8004 wallet with `verifyPayee`), the payload goes back on the
 * task as the a2a-x402 extension says, and the receipt records what the merchant's receipts
 * prove. The extension is activated on every request (the card's x402 URIs, else both).
 *
 * @example
 * ```ts
 * import { ClientFactory } from '@a2a-js/sdk/client'
 * import { wrapA2AClient } from '@tollgate/a2a/client'
 *
 * const client = await new ClientFactory().createFromUrl('https://agent.example')
 * const paying = wrapA2AClient(client, { account, policy: { maxPerRequest: '$0.05' } })
 * const { result, receipt } = await paying.sendMessage({ message, tenant: '', configuration: undefined, metadata: undefined })
 * ```
 */
export function wrapA2AClient(client: Client, parameters: WrapA2AClientParameters): PaidA2AClient {
  const { rejectRefused = true, ...payerParameters } = parameters
  const payer = createPayer(payerParameters)
  let endpoint: Promise<A2AEndpoint> | undefined
  const resolveEndpoint = () => {
    endpoint ??= readEndpoint(client).catch((error: unknown) => {
      endpoint = undefined
      throw error
    })
    return endpoint
  }
  return {
    sendMessage: async (params, options = {}) => {
      const { purchase, ...requestOptions } = options
      const identity = resolvePurchase(purchase)
      const target = await resolveEndpoint()
      return payer.call(identity, (call) =>
        sendPaying({ client, call, endpoint: target, rejectRefused }, params, requestOptions),
      )
    },
    purchases: payer.purchases,
    payer,
  }
}

/** Where the client sends (the card's first interface) and the x402 URIs to activate. */
async function readEndpoint(client: Client): Promise<A2AEndpoint> {
  const card = await client.getAgentCard()
  const declared = (card.capabilities?.extensions ?? [])
    .map(({ uri }) => uri)
    .filter((uri) => uri === x402ExtensionUris['v0.2'] || uri === x402ExtensionUris['v0.1'])
  return {
    url: new URL(card.supportedInterfaces[0]?.url ?? ''),
    extensions: declared.length > 0 ? declared : Object.values(x402ExtensionUris),
  }
}
