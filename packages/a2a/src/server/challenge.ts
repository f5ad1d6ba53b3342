import { TaskState } from '@a2a-js/sdk'
import { x402MetadataKeys } from '../metadata.js'
import { agentMessage, publishStatus } from './events.js'
import {
  challengeVersion,
  openTask,
  receiptsWith,
  requiredEntry,
  skillRequest,
  type Turn,
} from './turn.js'

/**
 * A message without a payment: the task asks for one (`input-required`, `payment-required` and
 * the `PaymentRequired` in the status message's metadata). A price that cannot be computed fails
 * the task, charging nothing.
 */
export async function challenge(turn: Turn): Promise<void> {
  const { state, channel, skill } = turn
  const outcome = await state.engine.handle({
    offer: state.offers.get(skill)!,
    request: skillRequest(turn),
    resource: state.resourceOf(skill),
    payment: undefined,
    // Without a payment the engine only prices and challenges: nothing runs.
    run: async () => ({ ok: false, result: {} }),
  })
  openTask(turn)
  if (outcome.kind !== 'payment-required') {
    const text = 'message' in outcome ? outcome.message : 'The price could not be computed.'
    return publishStatus(channel, TaskState.TASK_STATE_FAILED, agentMessage(channel, text, {}))
  }
  const receipts = receiptsWith(turn, undefined)
  publishStatus(
    channel,
    TaskState.TASK_STATE_INPUT_REQUIRED,
    agentMessage(channel, 'Payment is required.', {
      [x402MetadataKeys.status]: 'payment-required',
      ...requiredEntry(turn, outcome.paymentRequired, {
        version: challengeVersion(turn),
        withError: false,
      }),
      ...(receipts.length > 0 ? { [x402MetadataKeys.receipts]: receipts } : {}),
    }),
  )
}
