import { type AgentCard, type Message, Role, type Task, TaskState } from '@a2a-js/sdk'
import {
  type A2ARequestHandler,
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  InMemoryTaskStore,
  type TaskStore,
} from '@a2a-js/sdk/server'
import type { FacilitatorClient } from '@tollgate/core'
import {
  type CreatePaywallEngineErrorType,
  type CreatePaywallEngineParameters,
  createPaywallEngine,
  type PaywallLogger,
} from '@tollgate/paywall'
import { PaidSkillConfigurationError, type PaidSkillConfigurationErrorType } from '../errors.js'
import {
  type DeclareX402ExtensionParameters,
  declareX402Extension,
  type X402ExtensionDeclaration,
} from '../extension.js'
import { textPart } from '../parts.js'
import { withX402Activation } from './activation.js'
import { handleMessage } from './handleMessage.js'
import { type PaidSkill, type SkillAnswer, type SkillRequest, skillAnswerCodec } from './skill.js'
import type { PaywallState } from './state.js'
import { createTaskLocks } from './taskLocks.js'

/** Parameters of {@link createA2APaywall}. */
export type CreateA2APaywallParameters = Omit<
  CreatePaywallEngineParameters<SkillRequest, SkillAnswer>,
  'offers' | 'codec' | 'statusOf'
> & {
  /** The agent's card: the x402 extension is added to its `capabilities.extensions`. */
  card: AgentCard
  /** The paid skills by id (ids of the card's `skills`, usually). */
  skills: Readonly<Record<string, PaidSkill>>
  /**
   * Which skill a new task's first message asks for; `undefined` answers that no paid skill
   * matches. @default the only skill (required with several)
   */
  selectSkill?: ((message: Message, task: Task | undefined) => string | undefined) | undefined
  /** Where tasks live (shared with the request handler). @default new InMemoryTaskStore() */
  taskStore?: TaskStore | undefined
  /**
   * The x402 version of the `PaymentRequired` sent to a client that activated the v0.2 URI (or
   * none). A client that activated only the v0.1 URI always gets v1, and a failed payment's new
   * challenge is in the payment's version. @default 2
   */
  x402Version?: 1 | 2 | undefined
  /** How the card declares the extension. @default both versions, `required: true` */
  extension?: DeclareX402ExtensionParameters | undefined
}

/** A paid A2A agent: its card, executor and request handler, ready to mount. */
export type A2APaywall = {
  /** The card given, with the x402 extension declared. */
  card: AgentCard
  /** The paid skills' executor. */
  executor: AgentExecutor
  /**
   * A `DefaultRequestHandler` over the card, task store and executor, accepting either x402 URI
   * as the extension's activation. Mount it with the SDK's transports.
   */
  requestHandler: A2ARequestHandler
  taskStore: TaskStore
  /** Checks every skill's settlement mode against the facilitator's `/supported`. */
  ready(): Promise<void>
}

/** What {@link createA2APaywall} throws. */
export type CreateA2APaywallErrorType =
  | CreatePaywallEngineErrorType
  | PaidSkillConfigurationErrorType

/**
 * Makes skills of an `@a2a-js/sdk` agent paid, over the a2a-x402 extension: a task asking for a
 * paid skill goes `input-required` with `payment-required`; a payment is verified
 * (`payment-verified`), the skill runs once with its answer held back, the payment settles and
 * the task `completed` with `payment-completed` and every receipt. A failed skill charges
 * nothing; a failed settlement serves nothing (`failed`, `payment-failed`).
 *
 * @example
 * ```ts
 * import { createA2APaywall } from '@tollgate/a2a/server'
 * import { jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express'
 *
 * const paywall = createA2APaywall(facilitator, {
 *   card,
 *   skills: {
 *     forecast: {
 *       price: '$0.01', payTo: '0xYourAddress', network: 'base-sepolia',
 *       run: async () => ({ text: 'Sunny tomorrow.' }),
 *     },
 *   },
 * })
 * app.use('/a2a', jsonRpcHandler({ requestHandler: paywall.requestHandler, userBuilder: UserBuilder.noAuthentication }))
 * ```
 */
export function createA2APaywall(
  facilitator: FacilitatorClient,
  parameters: CreateA2APaywallParameters,
): A2APaywall {
  const {
    card,
    skills,
    selectSkill,
    taskStore = new InMemoryTaskStore(),
    x402Version = 2,
  } = parameters
  const ids = Object.keys(skills)
  if (ids.length === 0) throw new PaidSkillConfigurationError({ reason: 'no skill is paid' })
  if (ids.length > 1 && !selectSkill)
    throw new PaidSkillConfigurationError({
      reason: 'several skills are paid: `selectSkill` must say which one a message asks for',
    })
  const engine = createPaywallEngine<SkillRequest, SkillAnswer>(facilitator, {
    ...engineParameters(parameters),
    offers: Object.fromEntries(ids.map((id) => [id, offerOf(skills[id]!)])),
    codec: skillAnswerCodec,
  })
  const declared = declareX402Extension(parameters.extension)
  const paidCard = withDeclaration(card, declared)
  const state: PaywallState = {
    engine,
    skills,
    offers: new Map(engine.offers.map((offer) => [offer.key, offer])),
    select: selectSkill ?? (() => ids[0]),
    taskStore,
    locks: createTaskLocks(),
    x402Version,
    resourceOf: resourceOf(card, engine.offers),
    now: parameters.now ?? Date.now,
    report: reporter(parameters.logger),
  }
  const executor: AgentExecutor = {
    execute: (ctx, bus) => state.locks.run(ctx.taskId, () => handleMessage(state, ctx, bus)),
    cancelTask: (taskId, bus) => state.locks.run(taskId, async () => cancel(taskId, bus)),
  }
  const handler = new DefaultRequestHandler(paidCard, taskStore, executor)
  const requestHandler = withX402Activation(handler, declared)
  return { card: paidCard, executor, requestHandler, taskStore, ready: () => engine.ready() }
}

function engineParameters(parameters: CreateA2APaywallParameters) {
  const { assets, hooks, idempotency, logger, now, agent, store } = parameters
  return { assets, hooks, idempotency, logger, now, agent, store }
}

function offerOf({ run: _run, ...offer }: PaidSkill) {
  return offer
}

/** The card with the extension declared (replacing an earlier x402 declaration). */
function withDeclaration(
  card: AgentCard,
  declared: readonly X402ExtensionDeclaration[],
): AgentCard {
  const uris = new Set(declared.map(({ uri }) => uri))
  const others = (card.capabilities?.extensions ?? []).filter(({ uri }) => !uris.has(uri))
  return { ...card, capabilities: { ...card.capabilities, extensions: [...others, ...declared] } }
}

/**
 * The resource a skill's challenge names: its offer's `resource`, else the card's first
 * interface URL with the skill as fragment (the client pays the URL it sends to).
 */
function resourceOf(
  card: AgentCard,
  offers: readonly { key: string; resource: string | undefined }[],
): (skill: string) => string {
  const url = card.supportedInterfaces[0]?.url
  for (const offer of offers)
    if (offer.resource === undefined && !url)
      throw new PaidSkillConfigurationError({
        reason: `skill "${offer.key}" has no \`resource\` and the card has no interface URL`,
      })
  return (skill) => `${url}#${skill}`
}

/**
 * Reports a skill that threw: its name and the error's class only, as plain text (an error's
 * message may carry what must not reach a log). Never throws.
 */
function reporter(logger: PaywallLogger | false | undefined) {
  return (message: string, { skill, error }: { skill: string; error: unknown }) => {
    if (logger === false) return
    const kind = error instanceof Error ? error.name : typeof error
    try {
      ;(logger ?? console).error?.(`tollgate a2a: ${message}`, { skill, error: kind })
    } catch {
      // A throwing logger must not change the answer.
    }
  }
}

/** Cancels a task waiting for payment: nothing was charged. */
function cancel(taskId: string, bus: Parameters<AgentExecutor['cancelTask']>[1]): void {
  bus.publish(
    AgentEvent.statusUpdate({
      taskId,
      contextId: '',
      status: {
        state: TaskState.TASK_STATE_CANCELED,
        message: {
          messageId: crypto.randomUUID(),
          taskId,
          contextId: '',
          role: Role.ROLE_AGENT,
          parts: [textPart('Task canceled: nothing was charged.')],
          metadata: undefined,
          extensions: [],
          referenceTaskIds: [],
        },
        timestamp: undefined,
      },
      metadata: undefined,
    }),
  )
}
