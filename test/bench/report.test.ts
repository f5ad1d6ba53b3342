import { describe, expect, it } from 'vitest'
import { type CellRecord, evaluateTargets } from '../../bench/src/report.js'

function cell(stack: CellRecord['stack'], rps: number, roundRps: number[]): CellRecord {
  return {
    shape: 'single',
    scenario: 'instant',
    stack,
    agents: 16,
    rps,
    p50: 10,
    p99: 20,
    paid: Math.round(rps * 8),
    errors: 0,
    errorSamples: [],
    drainMs: 0,
    transactions: 1,
    gasPerPayment: 50_000,
    cpuPerPaid: {},
    load: 1,
    roundRps,
  }
}

function fiveTimes(cells: CellRecord[], stack: 'submitted' | 'confirmed') {
  const target = evaluateTargets(cells, undefined, { pollMs: 100 }).find((t) =>
    t.name.startsWith(`16 agents, instant mining: ${stack}`),
  )
  if (!target) throw new Error(`no target for ${stack}`)
  return target
}

describe('the 5x targets of issue #17', () => {
  it('is met at 5x the reference and missed below, with the ratio of each round', () => {
    const cells = [
      cell('reference', 40, [40, 40]),
      cell('submitted', 200, [180, 220]),
      cell('confirmed', 199, [199, 199]),
    ]
    const submitted = fiveTimes(cells, 'submitted')
    expect(submitted.met).toBe(true)
    expect(submitted.detail).toContain('= 5.00x')
    expect(submitted.detail).toContain('round by round: 4.50x, 5.50x')
    expect(fiveTimes(cells, 'confirmed').met).toBe(false)
  })

  it('gives no verdict when the reference paid nothing, rather than an infinite ratio', () => {
    const cells = [cell('reference', 0, [0, 0]), cell('submitted', 200, [200, 200])]
    const target = fiveTimes(cells, 'submitted')
    expect(target.met).toBeUndefined()
    expect(target.detail).toContain('the reference paid nothing')
    expect(target.detail).not.toContain('Infinity')
  })

  it('reports a mode that did not run as not measured', () => {
    const target = fiveTimes([cell('reference', 40, [40])], 'confirmed')
    expect(target).toMatchObject({ met: undefined, detail: 'not measured in this run' })
  })
})
