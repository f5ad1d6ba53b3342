import type { Message, Task } from '@a2a-js/sdk'
import type { TaskStore } from '@a2a-js/sdk/server'
import type { PaywallEngine, ResolvedOffer } from '@tollgate/paywall'
import type { PaidSkill, SkillAnswer, SkillRequest } from './skill.js'
import type { TaskLocks } from './taskLocks.js'
import type { WireVersion } from './wire.js'

/** What the paid executor works with, resolved once by `createA2APaywall`. */
export type PaywallState = {
  engine: PaywallEngine<SkillRequest, SkillAnswer>
  skills: Readonly<Record<string, PaidSkill>>
  offers: ReadonlyMap<string, ResolvedOffer<SkillRequest>>
  select: (message: Message, task: Task | undefined) => string | undefined
  taskStore: TaskStore
  locks: TaskLocks
  /** The x402 version of challenges to clients that did not activate only the v0.1 URI. */
  x402Version: WireVersion
  /** The resource URL a skill's challenge names, unless its offer sets one. */
  resourceOf: (skill: string) => string
  now: () => number
  /** Reports a skill that threw (no secrets: its error goes to the paywall's logger). */
  report: (message: string, fields: { skill: string; error: unknown }) => void
}

/** Where the task records which skill it is for (a key outside the `x402.` namespace). */
export const skillMetadataKey = 'tollgate.skill'
