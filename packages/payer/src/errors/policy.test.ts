import { readFileSync } from 'node:fs'
import type { PaymentRequirements } from '@tollgate/core'
import { expect, test } from 'vitest'
import type { PolicyGuard } from './policy.js'
import { guardInfo, PolicyRefusedError } from './policy.js'

// A refusal points at the section of docs/agents/guardrails.md that explains its guard, and names
// the option that changes it: both must exist there.

const guide = readFileSync(
  new URL('../../../../docs/agents/guardrails.md', import.meta.url),
  'utf8',
)

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to `-`. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s-]/gu, '')
    .trim()
    .replace(/\s/g, '-')
}

const anchors = new Set(
  guide
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => anchorOf(line.replace(/^#+ /, ''))),
)

const requirements: PaymentRequirements = {
  scheme: 'exact',
  network: 'eip155:8453',
  amount: '10000',
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  payTo: '0x1111111111111111111111111111111111111111',
  maxTimeoutSeconds: 60,
}

test.each(Object.keys(guardInfo) as PolicyGuard[])(
  '%s: its docsPath is a section of the guardrails guide, and its option is documented there',
  (guard) => {
    const refusal = { guard, reason: 'a reason', requirements, values: {} }
    const error = new PolicyRefusedError({ refusal, refusals: [refusal] })
    expect(error.docsPath).toMatch(/^\/agents\/guardrails#/)
    expect(anchors).toContain(error.docsPath!.split('#')[1])
    if (error.option === undefined) expect(guard).toBe('scheme')
    else {
      expect(guide).toContain(`\`${error.option}\``)
      expect(error.message).toContain(`Change it with the policy's \`${error.option}\` option.`)
    }
    expect(error.message).toContain(`Docs: https://tollgate.dev/docs${error.docsPath}`)
  },
)
