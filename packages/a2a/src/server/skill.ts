import { Artifact, type Message, type Task } from '@a2a-js/sdk'
import type { RequestContext } from '@a2a-js/sdk/server'
import type { OfferConfig, ResultCodec } from '@tollgate/paywall'

/** What a paid skill is asked: which skill, the message that asked for it, and the task. */
export type SkillRequest = {
  /** The skill's id (its key in `skills`). */
  skill: string
  /** The message that asked for the skill: the task's first message from the client. */
  message: Message
  /** The task as stored before this message; `undefined` for a new task. */
  task: Task | undefined
  /** The SDK's request context of the message being handled. */
  context: RequestContext
}

/** What a paid skill answers: the task's artifacts and the text of its final status message. */
export type SkillAnswer = {
  /**
   * Whether the skill did its work. `false` charges nothing: the payment is not settled and the
   * task fails with `text`. A skill that throws counts as `false`.
   * @default true
   */
  ok?: boolean | undefined
  /** The text of the final status message. */
  text?: string | undefined
  /** The work, delivered only once the payment settled. */
  artifacts?: readonly Artifact[] | undefined
}

/**
 * A paid skill: its price (fixed, or computed from the {@link SkillRequest}), who is paid, on
 * which network and in which asset, and the work. The work runs once per payment, after the
 * payment verified and before it settles; its answer is held back until the settlement succeeds.
 */
export type PaidSkill = Omit<OfferConfig<SkillRequest>, 'order'> & {
  run(request: SkillRequest): Promise<SkillAnswer>
}

/** How a skill's answer is kept while its settlement is pending (JSON, artifacts in the SDK's JSON). */
export const skillAnswerCodec: ResultCodec<SkillAnswer> = {
  keep: ({ ok, text, artifacts }) => ({
    ok: ok !== false,
    text,
    artifacts: (artifacts ?? []).map((artifact) => Artifact.toJSON(artifact)),
  }),
  restore: (value) => {
    const kept = value as { ok: boolean; text?: string; artifacts: unknown[] }
    return {
      ok: kept.ok,
      text: kept.text,
      artifacts: kept.artifacts.map((artifact) => Artifact.fromJSON(artifact)),
    }
  },
}
