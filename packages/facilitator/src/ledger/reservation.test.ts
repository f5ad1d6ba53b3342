import { describe, expect, it } from 'vitest'
import { decideReservation, isLapsed, itemCountOf } from './reservation.js'
import type { SettlementEntry, SettlementRecord } from './types.js'

const entry: SettlementEntry = {
  chainId: 8453,
  asset: '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913',
  payer: '0x00000000000000000000000000000000000000Aa',
  nonce: `0x${'11'.repeat(32)}`,
  payee: '0x00000000000000000000000000000000000000Bb',
  value: 1_000n,
  validAfter: 0n,
  validBefore: 2_000_000_000n,
  signature: `0x${'22'.repeat(65)}`,
}

const none = { open: 0n, unreflected: 0n }

describe('isLapsed', () => {
  const row = (state: SettlementRecord['state'], holdUntil?: number) =>
    ({ ...entry, state, holdUntil }) as unknown as SettlementRecord

  it('frees a released row and a verified row whose hold ran out, at the hold itself', () => {
    expect(isLapsed(row('released'), 0)).toBe(true)
    expect(isLapsed(row('verified', 1_000), 1_000)).toBe(true)
    expect(isLapsed(row('verified', 1_000), 999)).toBe(false)
  })

  it('never frees a row that is queued, submitted or settled', () => {
    for (const state of ['queued', 'submitted', 'confirmed', 'failed'] as const)
      expect(isLapsed(row(state, 0), 10_000)).toBe(false)
  })
})

describe('decideReservation', () => {
  it('allows the exposure cap exactly and refuses one unit over it, naming what is open', () => {
    const at = decideReservation(
      entry,
      { state: 'verified', exposureCap: 3_000n },
      { open: 2_000n, unreflected: 0n },
      0,
    )
    expect(at.status).toBe('reserve')
    const over = decideReservation(
      entry,
      { state: 'verified', exposureCap: 2_999n },
      { open: 2_000n, unreflected: 0n },
      0,
    )
    expect(over).toEqual({ status: 'exposure_cap', exposure: 2_000n })
  })

  it('counts confirmed transfers the balance does not show yet against the balance, not the cap', () => {
    const amounts = { open: 500n, unreflected: 600n }
    expect(
      decideReservation(
        entry,
        { state: 'queued', balance: 2_099n, exposureCap: 1_500n },
        amounts,
        0,
      ),
    ).toEqual({
      status: 'insufficient_balance',
      reserved: 1_100n,
    })
    expect(
      decideReservation(
        entry,
        { state: 'queued', balance: 2_100n, exposureCap: 1_500n },
        amounts,
        0,
      ).status,
    ).toBe('reserve')
  })

  it('holds a verified reservation for holdMs (5 minutes by default); a queued one has no hold', () => {
    const fields = (parameters: Parameters<typeof decideReservation>[1]) => {
      const decision = decideReservation(entry, parameters, none, 10_000)
      if (decision.status !== 'reserve') throw new Error(decision.status)
      return decision.fields
    }
    expect(fields({ state: 'verified' })[8]).toBe(310_000)
    expect(fields({ state: 'verified', holdMs: 50 })[8]).toBe(10_050)
    expect(fields({ state: 'queued' })[8]).toBeNull()
    expect(fields({ state: 'queued' }).slice(0, 8)).toEqual([
      'queued',
      entry.payee.toLowerCase(),
      '1000',
      '0',
      '2000000000',
      2_000_000_000,
      entry.signature,
      null,
    ])
  })
})

describe('itemCountOf', () => {
  it('counts the keys of every transition', () => {
    expect(itemCountOf([{ keys: [1, 2] }, { keys: [] }, { keys: [3] }])).toBe(3)
    expect(itemCountOf(undefined)).toBe(0)
  })
})
