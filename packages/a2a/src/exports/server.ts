// The merchant side: paid skills on an `@a2a-js/sdk` server, over the paywall engine.

export {
  type A2APaywall,
  type CreateA2APaywallErrorType,
  type CreateA2APaywallParameters,
  createA2APaywall,
} from '../server/createA2APaywall.js'
export type { PaidSkill, SkillAnswer, SkillRequest } from '../server/skill.js'
