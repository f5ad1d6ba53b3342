import { performance } from 'node:perf_hooks'
import type { Hex } from 'viem'
import type { PayingAgent } from './payingFetch.js'

export type RunSliceParameters = {
  agents: readonly PayingAgent[]
  url: string
  /** Requests started in this first part are paid and checked, not measured, in ms. */
  warmupMs: number
  /** The measured part, in ms. */
  durationMs: number
  /** At most this many requests per agent (a bound on what a slice can spend). */
  maxRequestsPerAgent: number
  /**
   * Paced: each agent starts one request in every `paceMs` interval, at a random point of it,
   * answered or not its previous one (open loop). Without it, a closed loop: the next request
   * when one ends.
   */
  paceMs?: number | undefined
}

/** What one slice of a cell measured; slices of a cell are merged with `mergeSlices`. */
export type SliceResult = {
  /** Paid responses (200), warm-up included: what the payee must receive. */
  paid: number
  /** Failed requests (a status other than 200, or a throw). */
  errors: number
  errorSamples: string[]
  /** Latencies of the paid requests started in the measured part, ms. */
  latencies: number[]
  /** From the start of the measured part to the end of its last paid request, ms. */
  windowMs: number
  /** Settlement transactions named by the paid responses. */
  transactions: Set<Hex>
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 300)
}

/**
 * Each agent sends one paid request after another (402, sign, pay again) until the time is up:
 * back to back (closed loop) or on a fixed pace. Latency is a whole paid request as the agent sees
 * it, from its first byte out to the paid body read.
 */
export async function runSlice({
  agents,
  url,
  warmupMs,
  durationMs,
  maxRequestsPerAgent,
  paceMs,
}: RunSliceParameters): Promise<SliceResult> {
  const start = performance.now()
  const measureFrom = start + warmupMs
  const endAt = measureFrom + durationMs
  const latencies: number[] = []
  const transactions = new Set<Hex>()
  const errorSamples: string[] = []
  let paid = 0
  let errors = 0
  let lastMeasuredEnd = measureFrom

  /** One paid request, counted; measured when it started in the measured part. */
  async function payOnce(agent: PayingAgent) {
    const begin = performance.now()
    const measured = begin >= measureFrom
    try {
      const response = await agent.pay(url)
      const body = await response.text()
      const end = performance.now()
      if (response.status === 200) {
        paid++
        const transaction = agent.transactionOf(response)
        if (transaction) transactions.add(transaction)
        if (measured) {
          latencies.push(end - begin)
          lastMeasuredEnd = Math.max(lastMeasuredEnd, end)
        }
      } else {
        errors++
        if (errorSamples.length < 3) errorSamples.push(oneLine(`HTTP ${response.status} ${body}`))
      }
    } catch (error) {
      errors++
      if (errorSamples.length < 3)
        errorSamples.push(oneLine(error instanceof Error ? error.message : String(error)))
    }
  }

  async function closedLoop(agent: PayingAgent) {
    for (let sent = 0; sent < maxRequestsPerAgent && performance.now() < endAt; sent++)
      await payOnce(agent)
  }

  /**
   * One request per pace interval at a random point in it, whether or not the agent's previous
   * one has been answered (open loop): each agent offers 1/paceMs, and requests meet the chain's
   * blocks at every phase. Waiting for the previous answer instead would start a request late
   * exactly when answers are slow, right after the block that ended them, and measure that phase
   * (a wait of nearly a whole block) rather than the stack (coordinated omission).
   */
  async function pacedLoop(agent: PayingAgent, paceMs: number) {
    const inFlight: Promise<void>[] = []
    for (let sent = 0; sent < maxRequestsPerAgent; sent++) {
      const due = start + (sent + Math.random()) * paceMs
      if (due >= endAt) break
      const wait = due - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
      inFlight.push(payOnce(agent))
    }
    await Promise.all(inFlight)
  }

  await Promise.all(
    agents.map((agent) => (paceMs === undefined ? closedLoop(agent) : pacedLoop(agent, paceMs))),
  )
  return {
    paid,
    errors,
    errorSamples,
    latencies,
    windowMs: Math.max(lastMeasuredEnd - measureFrom, 0),
    transactions,
  }
}

/** The slices of one cell as one: counts and latencies pooled, windows added up. */
export function mergeSlices(slices: readonly SliceResult[]): SliceResult {
  return {
    paid: slices.reduce((sum, s) => sum + s.paid, 0),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    errorSamples: slices.flatMap((s) => s.errorSamples).slice(0, 3),
    latencies: slices.flatMap((s) => s.latencies),
    windowMs: slices.reduce((sum, s) => sum + s.windowMs, 0),
    transactions: new Set(slices.flatMap((s) => [...s.transactions])),
  }
}
