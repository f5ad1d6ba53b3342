import { Role, TaskState } from '@a2a-js/sdk'
import { ClientFactory } from '@a2a-js/sdk/client'
import { wrapA2AClient } from '@tollgate/a2a/client'
import { getReceipt, type Receipt, type WrapFetchParameters, wrapFetch } from '@tollgate/fetch'
import type { DevStack } from './startDevStack.js'

/** One paid call: the HTTP status or the A2A task's state, and the payment's receipt if any. */
export type DevPay = () => Promise<{ status: number | string; receipt: Receipt | undefined }>

/** The buyer's policy, as both payers take it. */
export type DevPolicy = NonNullable<WrapFetchParameters['policy']>

/** Pays the seller's API over HTTP (`wrapFetch`). */
export function payOverHttp(stack: DevStack, endpoint: string, policy: DevPolicy): DevPay {
  const { devnet, buyer } = stack
  const pay = wrapFetch(fetch, {
    account: buyer.account,
    assets: [devnet.usdc],
    // The devnet proves what happened to a refused payment, as a public RPC would.
    reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    policy,
  })
  return async () => {
    const response = await pay(endpoint)
    await response.arrayBuffer()
    return { status: response.status, receipt: getReceipt(response) }
  }
}

/**
 * Pays the seller's `forecast` skill over A2A: reads its agent card, then each call is a new task
 * paid inside the task (`wrapA2AClient`, the a2a-x402 extension).
 */
export async function payOverA2A(
  stack: DevStack,
  cardUrl: string,
  policy: DevPolicy,
): Promise<DevPay> {
  const { devnet, buyer } = stack
  const client = await new ClientFactory().createFromUrl(cardUrl, '')
  const paying = wrapA2AClient(client, {
    account: buyer.account,
    assets: [devnet.usdc],
    reconcile: { chains: { [devnet.network]: devnet.publicClient } },
    policy,
  })
  return async () => {
    const { result, receipt } = await paying.sendMessage(forecastRequest())
    const state = 'status' in result ? result.status?.state : undefined
    return { status: stateName(state), receipt }
  }
}

/** A new task asking for the forecast. */
function forecastRequest() {
  return {
    tenant: '',
    message: {
      messageId: crypto.randomUUID(),
      taskId: '',
      contextId: '',
      role: Role.ROLE_USER,
      parts: [
        {
          content: { $case: 'text' as const, value: 'Forecast for Oslo' },
          metadata: undefined,
          filename: '',
          mediaType: 'text/plain',
        },
      ],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    },
    configuration: undefined,
    metadata: undefined,
  }
}

/** A task state as A2A names it on the wire (`completed`, `input-required`, ...). */
function stateName(state: TaskState | undefined): string {
  if (state === undefined) return 'message'
  const name = TaskState[state] ?? 'UNRECOGNIZED'
  return name
    .replace(/^TASK_STATE_/, '')
    .toLowerCase()
    .replaceAll('_', '-')
}
