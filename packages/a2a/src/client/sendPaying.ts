import type { Message, Task } from '@a2a-js/sdk'
import {
  type Client,
  type RequestOptions,
  ServiceParameters,
  withA2AExtensions,
} from '@a2a-js/sdk/client'
import { A2AError } from '@a2a-js/sdk/errors'
import { type Attempt, type PayerCall, PolicyRefusedError } from '@tollgate/payer'
import { paymentMessage, rejectionMessage, withPayment } from './messages.js'
import { neverSent } from './neverSent.js'
import { askingPayment, readAnswer, readTaskChallenge } from './readTask.js'
import type { PaidSendResult, SendMessageParameters } from './wrapA2AClient.js'

/** The agent a client talks to: the URL paid (the policy's source) and the URIs to activate. */
export type A2AEndpoint = { url: URL; extensions: readonly string[] }

/** What one paid send works with. */
export type PayingSend = {
  client: Client
  call: PayerCall
  endpoint: A2AEndpoint
  rejectRefused: boolean
}

/**
 * One paid send inside the payer's call: a purchase's earlier payment is re-sent with the request;
 * otherwise the request goes out, and a task asking for payment is paid once.
 */
export async function sendPaying(
  send: PayingSend,
  params: SendMessageParameters,
  requestOptions: RequestOptions,
): Promise<PaidSendResult> {
  const options = activating(requestOptions, send.endpoint.extensions)
  const resend = await send.call.retry()
  if (resend && params.message)
    return deliver(
      send,
      { ...params, message: withPayment(params.message, resend.payload) },
      {
        attempt: resend,
        options,
      },
    )
  const first = await send.client.sendMessage(params, options)
  const task = askingPayment(first)
  if (!task) return { result: first, receipt: undefined }
  const paymentRequired = readTaskChallenge(task)
  let attempt: Attempt
  try {
    attempt = await send.call.pay({
      paymentRequired,
      source: { url: send.endpoint.url, method: 'SendMessage' },
    })
  } catch (error) {
    if (send.rejectRefused && error instanceof PolicyRefusedError)
      await decline(send, task, options)
    throw error
  }
  const message = paymentMessage(task, attempt.payload)
  return deliver(send, { ...params, message }, { attempt, options })
}

/** Sends a payment and reports to the payer what came back (or that nothing did). */
async function deliver(
  send: PayingSend,
  params: SendMessageParameters,
  { attempt, options }: { attempt: Attempt; options: RequestOptions },
): Promise<PaidSendResult> {
  let result: Message | Task
  try {
    result = await send.client.sendMessage(params, options)
  } catch (error) {
    if (neverSent(error)) await attempt.notSent()
    // The agent answered with a protocol error: it did not serve; the chain says if it charged.
    else if (error instanceof A2AError)
      await attempt.answered({ status: 402, settlement: { present: false } })
    else await attempt.lost()
    throw error
  }
  const receipt = await attempt.answered(readAnswer(result))
  return { result, receipt }
}

/** Tells the merchant the payment is declined, best effort: the refusal is what the caller sees. */
async function decline(send: PayingSend, task: Task, options: RequestOptions): Promise<void> {
  const message = rejectionMessage(task)
  await send.client
    .sendMessage({ tenant: '', message, configuration: undefined, metadata: undefined }, options)
    .catch(() => undefined)
}

/** The request options with the x402 extension activated (the SDK picks the header's spelling). */
function activating(options: RequestOptions, extensions: readonly string[]): RequestOptions {
  return {
    ...options,
    serviceParameters: ServiceParameters.createFrom(
      options.serviceParameters,
      withA2AExtensions(...extensions),
    ),
  }
}
