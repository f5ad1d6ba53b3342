import { TaskState } from '@a2a-js/sdk'
import type { Held } from '@tollgate/paywall'
import { x402MetadataKeys } from '../metadata.js'
import { agentMessage, publishStatus } from './events.js'
import { paymentNetwork, readPayment } from './payment.js'
import { renderOutcome } from './render.js'
import type { SkillAnswer, SkillRequest } from './skill.js'
import { challengeVersion, openTask, skillRequest, type Turn } from './turn.js'

/**
 * A message carrying a payment: the engine verifies it, runs the skill once (after
 * `payment-verified`, its answer held back), settles, and the outcome becomes the task's next
 * status. A replayed payload never runs the skill twice: the engine claims its authorization.
 */
export async function pay(turn: Turn, payload: unknown): Promise<void> {
  const { state, skill } = turn
  openTask(turn)
  const payment = readPayment(payload)
  const version = 'x402Version' in payment ? payment.x402Version : challengeVersion(turn)
  const request = skillRequest(turn)
  const offer = state.offers.get(skill)!
  // A receipt always names a network: the payment's, else the offer's first.
  const network = paymentNetwork(payment) || offer.options[0]!.network
  const outcome = await state.engine.handle({
    offer,
    request,
    resource: state.resourceOf(skill),
    payment,
    run: () => runSkill(turn, request),
  })
  renderOutcome(turn, outcome, { version, network })
}

/** Runs the skill after the payment verified; a skill that throws failed (nothing is charged). */
async function runSkill(turn: Turn, request: SkillRequest): Promise<Held<SkillAnswer>> {
  const { channel, state, skill } = turn
  publishStatus(
    channel,
    TaskState.TASK_STATE_WORKING,
    agentMessage(channel, 'Payment verified.', { [x402MetadataKeys.status]: 'payment-verified' }),
  )
  try {
    const answer = await state.skills[skill]!.run(request)
    return { ok: answer.ok !== false, result: answer }
  } catch (error) {
    state.report('the skill threw; nothing is charged', { skill, error })
    return { ok: false, result: { ok: false, text: 'The skill failed; nothing was charged.' } }
  }
}
