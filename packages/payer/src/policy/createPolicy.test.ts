import type { PaymentRequired, PaymentRequirements } from '@tollgate/core'
import { type Asset, assets } from '@tollgate/evm'
import { describe, expect, test } from 'vitest'
import {
  BudgetExceededError,
  InvalidPolicyError,
  PolicyRefusedError,
  RateLimitedError,
} from '../errors/policy.js'
import type { Challenge } from './candidate.js'
import type { PolicyParameters } from './createPolicy.js'
import { createPolicy, policyEngine } from './createPolicy.js'

const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
const baseUsdc = '0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913'
const payee = '0x1111111111111111111111111111111111111111'
const other = '0x2222222222222222222222222222222222222222'
const dai = '0x3333333333333333333333333333333333333333'
const url = new URL('https://api.example.com/report')

// An 18-decimal token, known through the caller's registry.
const dai18: Asset = {
  chainId: 84532,
  network: 'eip155:84532',
  address: dai,
  symbol: 'DAI',
  decimals: 18,
  eip712: { name: 'Dai', version: '1' },
}
const registry: readonly Asset[] = [dai18, ...assets]

/** A policy with its decision side, as `wrapFetch` drives it. */
const engine = (parameters?: PolicyParameters) => policyEngine(createPolicy(parameters))

/** Atomic units of Base Sepolia USDC (6 decimals): the only form a bigint limit takes. */
const usdcUnits = (amount: bigint) => ({
  amount,
  asset: { network: 'eip155:84532', address: baseSepoliaUsdc },
})

function option(overrides: Partial<PaymentRequirements> = {}): PaymentRequirements {
  return {
    scheme: 'exact',
    network: 'eip155:84532',
    amount: '10000',
    asset: baseSepoliaUsdc,
    payTo: payee,
    maxTimeoutSeconds: 60,
    extra: { name: 'USDC', version: '2' },
    ...overrides,
  }
}

function challenge(...accepts: PaymentRequirements[]): Challenge {
  return challengeAt(url, ...accepts)
}

function challengeAt(at: URL, ...accepts: PaymentRequirements[]): Challenge {
  const paymentRequired: PaymentRequired = {
    x402Version: 2,
    resource: { url: at.href },
    accepts: accepts as [PaymentRequirements, ...PaymentRequirements[]],
  }
  return { x402Version: 2, paymentRequired }
}

function refusal(run: () => unknown): PolicyRefusedError {
  try {
    run()
  } catch (error) {
    if (error instanceof PolicyRefusedError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('selection', () => {
  test('chooses the cheapest acceptable option, not the first', () => {
    const policy = engine()
    const { candidate } = policy.decide({
      challenge: challenge(
        option({ amount: '30000' }),
        option({ amount: '5000', payTo: other }),
        option({ amount: '20000' }),
      ),
      url,
      method: 'GET',
      assets: registry,
    })
    expect(candidate.index).toBe(1)
    expect(candidate.amount).toBe(5000n)
  })

  test('compares prices across assets by their decimals', () => {
    const policy = engine()
    // 0.02 DAI (18 decimals) against 0.01 USDC (6 decimals): USDC is cheaper in whole units.
    const { candidate } = policy.decide({
      challenge: challenge(
        option({ asset: dai, amount: '20000000000000000', extra: { name: 'Dai', version: '1' } }),
        option({ amount: '10000' }),
      ),
      url,
      method: 'GET',
      assets: registry,
    })
    expect(candidate.asset).toBe(baseSepoliaUsdc.toLowerCase())
  })

  test('skips options an earlier rule refuses and pays the cheapest one left', () => {
    const policy = engine({ networks: ['base'], payees: { deny: [other] } })
    const { candidate } = policy.decide({
      challenge: challenge(
        option({ amount: '1' }), // Base Sepolia: network not allowed
        option({
          network: 'eip155:8453',
          asset: baseUsdc,
          amount: '2',
          payTo: other,
          extra: { name: 'USD Coin', version: '2' },
        }),
        option({
          network: 'eip155:8453',
          asset: baseUsdc,
          amount: '3',
          extra: { name: 'USD Coin', version: '2' },
        }),
      ),
      url,
      method: 'GET',
      assets: registry,
    })
    expect(candidate.index).toBe(2)
  })

  test('a custom selector picks among the acceptable options, cheapest first', () => {
    const seen: bigint[] = []
    const policy = engine({
      select: (acceptable) => {
        seen.push(...acceptable.map((c) => c.amount))
        return acceptable.at(-1)
      },
    })
    const { candidate } = policy.decide({
      challenge: challenge(
        option({ amount: '300' }),
        option({ amount: '100' }),
        option({ amount: '200' }),
      ),
      url,
      method: 'GET',
      assets: registry,
    })
    expect(seen).toEqual([100n, 200n, 300n])
    expect(candidate.amount).toBe(300n)
  })

  test('a selector that returns nothing, or a foreign option, refuses', () => {
    const none = engine({ select: () => undefined })
    expect(
      refusal(() =>
        none.decide({ challenge: challenge(option()), url, method: 'GET', assets: registry }),
      ).guard,
    ).toBe('select')
    const foreign = engine({ select: (acceptable) => ({ ...acceptable[0]! }) })
    const error = refusal(() =>
      foreign.decide({ challenge: challenge(option()), url, method: 'GET', assets: registry }),
    )
    expect(error.guard).toBe('select')
    expect(error.code).toBe('TOLLGATE_POLICY_SELECT')
  })

  test('reads v1 challenges (network names, maxAmountRequired)', () => {
    const policy = engine({ networks: ['eip155:84532'] })
    const { candidate } = policy.decide({
      challenge: {
        x402Version: 1,
        paymentRequired: {
          x402Version: 1,
          error: 'X-PAYMENT header is required',
          accepts: [
            {
              scheme: 'exact',
              network: 'base-sepolia',
              maxAmountRequired: '1000',
              resource: url.href,
              description: '',
              mimeType: '',
              payTo: payee,
              maxTimeoutSeconds: 60,
              asset: baseSepoliaUsdc,
              extra: { name: 'USDC', version: '2' },
            },
          ],
        },
      },
      url,
      method: 'GET',
      assets: registry,
    })
    expect(candidate.network).toBe('eip155:84532')
    expect(candidate.amount).toBe(1000n)
    expect(candidate.original).toHaveProperty('maxAmountRequired', '1000')
  })
})

describe('guards', () => {
  const authorize = (policy: ReturnType<typeof engine>, ...accepts: PaymentRequirements[]) =>
    refusal(() =>
      policy.decide({ challenge: challenge(...accepts), url, method: 'GET', assets: registry }),
    )

  test('scheme: exact (EIP-3009 or Permit2) and upto, on EVM', () => {
    const policy = engine()
    expect(authorize(policy, option({ scheme: 'deferred' })).guard).toBe('scheme')
    expect(
      authorize(
        policy,
        option({ extra: { name: 'USDC', version: '2', assetTransferMethod: 'erc7710' } }),
      ).reason,
    ).toBe('asset transfer method "erc7710" is not supported')
    const permit2 = { name: 'USDC', version: '2', assetTransferMethod: 'permit2' }
    for (const accepted of [
      option({ extra: permit2 }),
      option({ scheme: 'upto', extra: permit2 }),
    ]) {
      const { candidate } = policy.decide({
        challenge: challenge(accepted),
        url,
        method: 'GET',
        assets: registry,
      })
      expect(candidate.scheme).toBe(accepted.scheme)
    }
    expect(
      authorize(policy, option({ network: 'solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1' })).reason,
    ).toBe('network "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1" is not an EVM network')
  })

  test('network: unknown names and networks not allowed', () => {
    expect(authorize(engine(), option({ network: 'not-a-chain' })).guard).toBe('network')
    const error = authorize(engine({ networks: ['base'] }), option())
    expect(error.guard).toBe('network')
    expect(error.code).toBe('TOLLGATE_POLICY_NETWORK')
    expect(error.refusal.values).toEqual({ network: 'eip155:84532', allowed: 'eip155:8453' })
  })

  test('asset: outside the registry unless the policy allows it', () => {
    const unknown = '0x4444444444444444444444444444444444444444'
    const error = authorize(engine(), option({ asset: unknown }))
    expect(error.guard).toBe('asset')
    expect(error.shortMessage).toBe(
      `Payment refused by the asset rule: asset ${unknown} on eip155:84532 is not in the asset registry.`,
    )
    const allowed = engine({
      assets: [{ network: 'base-sepolia', address: unknown, decimals: 6 }],
    })
    const { candidate } = allowed.decide({
      challenge: challenge(option({ asset: unknown }), option()),
      url,
      method: 'GET',
      assets: registry,
    })
    // The registry's USDC is no longer allowed once the policy lists assets.
    expect(candidate.asset).toBe(unknown)
    expect(candidate.decimals).toBe(6)
  })

  test('units: an EIP-712 domain that disagrees with the registry', () => {
    const error = authorize(engine(), option({ extra: { name: 'USD Coin', version: '2' } }))
    expect(error.guard).toBe('units')
    expect(error.code).toBe('TOLLGATE_POLICY_UNITS')
    expect(error.refusal.values).toMatchObject({ name: 'USD Coin', expectedName: 'USDC' })
  })

  test('payee: deny-list and allow-list, case-insensitive', () => {
    expect(
      authorize(engine({ payees: { deny: [payee.toUpperCase().replace('0X', '0x')] } }), option())
        .guard,
    ).toBe('payee')
    const error = authorize(engine({ payees: { allow: [other] } }), option())
    expect(error.reason).toBe(`payee ${payee} is not on the allow-list`)
    const ok = engine({ payees: { allow: [payee] } })
    expect(
      ok.decide({ challenge: challenge(option()), url, method: 'GET', assets: registry }).candidate
        .payTo,
    ).toBe(payee)
  })

  test('maxPerRequest in whole units uses the asset decimals', () => {
    const policy = engine({ maxPerRequest: '$0.01' })
    expect(
      policy.decide({
        challenge: challenge(option({ amount: '10000' })),
        url,
        method: 'GET',
        assets: registry,
      }).candidate.amount,
    ).toBe(10000n)
    const error = authorize(policy, option({ amount: '10001' }))
    expect(error.guard).toBe('maxPerRequest')
    expect(error.code).toBe('TOLLGATE_POLICY_MAX_PER_REQUEST')
    expect(error.refusal.values).toEqual({ amount: 10001n, cap: 10000n })
    expect(error.reason).toBe('10001 (0.010001) is above the cap 10000 (0.01)')
    // The same cap is 10^16 atomic units of an 18-decimal token (on a route not yet paid in USDC).
    expect(
      authorize(
        engine({ maxPerRequest: '$0.01' }),
        option({ asset: dai, amount: '10000000000000001', extra: { name: 'Dai', version: '1' } }),
      ).refusal.values,
    ).toEqual({ amount: 10000000000000001n, cap: 10000000000000000n })
  })

  test('maxPerRequest as { amount, asset } is atomic units of that asset', () => {
    const policy = engine({ maxPerRequest: usdcUnits(500n) })
    expect(authorize(policy, option({ amount: '501' })).guard).toBe('maxPerRequest')
    expect(
      policy.decide({
        challenge: challenge(option({ amount: '500' })),
        url,
        method: 'GET',
        assets: registry,
      }).candidate.amount,
    ).toBe(500n)
  })

  test('the default cap is $1; null lifts it', () => {
    expect(authorize(engine(), option({ amount: '1000001' })).guard).toBe('maxPerRequest')
    // Without the cap, the default budgets ($5 per host and per payee an hour) still hold.
    expect(authorize(engine({ maxPerRequest: null }), option({ amount: '5000001' })).guard).toBe(
      'budget',
    )
    expect(
      engine({ maxPerRequest: null, budgets: [] }).decide({
        challenge: challenge(option({ amount: '5000000000' })),
        url,
        method: 'GET',
        assets: registry,
      }).candidate.amount,
    ).toBe(5000000000n)
  })

  test('https: a plain-http host that is not loopback is refused, naming allowHttp', () => {
    const at = (href: string, parameters?: PolicyParameters) => {
      const answered = new URL(href)
      return () =>
        engine(parameters).decide({
          challenge: challengeAt(answered, option()),
          url: answered,
          method: 'GET',
          assets: registry,
        })
    }
    const error = refusal(at('http://api.example.com/report'))
    expect(error).toMatchObject({
      guard: 'https',
      code: 'TOLLGATE_POLICY_HTTPS',
      option: 'allowHttp',
      docsPath: '/agents/guardrails#https-only',
      reason: 'http://api.example.com is not https, and only https (or loopback) is paid',
    })
    expect(error.shortMessage).toBe(
      'Payment refused by the https rule: http://api.example.com is not https, and only https (or loopback) is paid.',
    )
    expect(error.message).toContain("Change it with the policy's `allowHttp` option.")
    for (const loopback of [
      'http://127.0.0.1:8080/report',
      'http://127.8.9.10/report',
      'http://localhost:3000/report',
      'http://[::1]:3000/report',
    ])
      expect(at(loopback)().candidate.amount).toBe(10000n)
    expect(at('http://api.example.com/report', { allowHttp: true })().candidate.amount).toBe(10000n)
    // Only loopback: a private address, or a name that merely starts like one, is not.
    expect(refusal(at('http://10.0.0.1/report')).guard).toBe('https')
    expect(refusal(at('http://127.0.0.1.example.com/report')).guard).toBe('https')
  })

  test('a cap in whole units refuses an asset of unknown decimals', () => {
    const unknown = '0x4444444444444444444444444444444444444444'
    const policy = engine({ assets: [{ network: 'eip155:84532', address: unknown }] })
    const error = authorize(policy, option({ asset: unknown }))
    expect(error.guard).toBe('maxPerRequest')
    expect(error.reason).toContain('decimals of asset')
  })

  test('reports the rule that refused the most promising option and lists every refusal', () => {
    const policy = engine({ networks: ['eip155:84532'], maxPerRequest: '$0.01' })
    const error = authorize(
      policy,
      option({ network: 'eip155:8453', asset: baseUsdc }),
      option({ amount: '20000' }),
      option({ scheme: 'deferred' }),
    )
    expect(error.guard).toBe('maxPerRequest')
    expect(error).toMatchObject({
      option: 'maxPerRequest',
      docsPath: '/agents/guardrails#per-request-cap',
    })
    expect(error.refusals.map((r) => r.guard)).toEqual(['network', 'maxPerRequest', 'scheme'])
    expect(error.message).toMatchInlineSnapshot(`
      "Payment refused by the maxPerRequest rule: 20000 (0.02) is above the cap 10000 (0.01).

      Change it with the policy's \`maxPerRequest\` option.
      - exact 10000 of 0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913 on eip155:8453 to 0x1111111111111111111111111111111111111111: network: network eip155:8453 is not allowed
      - exact 20000 of 0x036CbD53842c5426634e7929541eC2318f3dCF7e on eip155:84532 to 0x1111111111111111111111111111111111111111: maxPerRequest: 20000 (0.02) is above the cap 10000 (0.01)
      - deferred 10000 of 0x036CbD53842c5426634e7929541eC2318f3dCF7e on eip155:84532 to 0x1111111111111111111111111111111111111111: scheme: scheme "deferred" is not supported

      Docs: https://tollgate.dev/docs/agents/guardrails#per-request-cap"
    `)
  })

  test('malformed limits fail when the policy is created, naming the option', () => {
    expect(() => engine({ maxPerRequest: '1,00' })).toThrow(
      expect.objectContaining({ name: 'InvalidPolicyError', option: 'maxPerRequest' }),
    )
    expect(() => engine({ budgets: [{ limit: '-1' }] })).toThrow(InvalidPolicyError)
    expect(() => engine({ budgets: [{ limit: '$1', windowMs: 0 }] })).toThrow(
      expect.objectContaining({ option: 'budgets[0].windowMs' }),
    )
    expect(() => engine({ networks: ['nowhere'] })).toThrow(InvalidPolicyError)
  })

  test('a bigint limit says atomic units of no asset in particular: it is refused', () => {
    const bare = () => engine({ budgets: [{ limit: '$1' }, { limit: 50_000n as never }] })
    expect(bare).toThrow(InvalidPolicyError)
    expect(bare).toThrow(
      "The policy option budgets[1].limit is invalid: a bare bigint says atomic units of no asset in particular: write whole units ('$0.01') or { amount, asset }.",
    )
    expect(() => engine({ maxPerRequest: 10_000n as never })).toThrow(
      expect.objectContaining({ code: 'TOLLGATE_POLICY_INVALID_OPTION', option: 'maxPerRequest' }),
    )
    expect(() => engine({ maxPerRequest: 0.01 as never })).toThrow(InvalidPolicyError)
    expect(() =>
      engine({ maxPerRequest: { amount: 1n, asset: { network: 'eip155:84532' } } as never }),
    ).toThrow(/needs its asset/)
    // A string is whole units: '1' is one whole token, not one atomic unit.
    expect(
      engine({ maxPerRequest: '1', budgets: [] }).decide({
        challenge: challenge(option({ amount: '1000000' })),
        url,
        method: 'GET',
        assets: registry,
      }).candidate.amount,
    ).toBe(1_000_000n)
  })
})

describe('budgets', () => {
  const authorize = (policy: ReturnType<typeof engine>, amount: string, at = url) =>
    policy.decide({
      challenge: challengeAt(at, option({ amount })),
      url: at,
      method: 'GET',
      assets: registry,
    })

  test('reservations count until released; commits count for good', () => {
    const policy = engine({ budgets: [{ limit: '$0.03' }] })
    const a = authorize(policy, '10000')
    const b = authorize(policy, '10000')
    authorize(policy, '10000')
    const error = refusal(() => authorize(policy, '1'))
    expect(error).toBeInstanceOf(BudgetExceededError)
    expect(error.code).toBe('TOLLGATE_POLICY_BUDGET')
    expect(error).toMatchObject({ scope: 'total', limit: 30000n, spent: 30000n, requested: 1n })
    a.reservation.release()
    b.reservation.commit()
    const c = authorize(policy, '10000')
    expect(c.candidate.amount).toBe(10000n)
    // Releasing twice, or after a commit, changes nothing.
    a.reservation.release()
    b.reservation.release()
    expect(refusal(() => authorize(policy, '1'))).toBeInstanceOf(BudgetExceededError)
    expect(policy.usage()).toEqual([
      {
        budget: { limit: '$0.03' },
        key: '',
        committed: 10000n * 10n ** 12n,
        reserved: 20000n * 10n ** 12n,
        // What a user reads: the limit's own unit, and the scale of the exact counts above.
        decimals: 18,
        used: '0.03',
      },
    ])
  })

  test('a window frees what is older than it', () => {
    let now = 1_000_000
    const policy = engine({
      budgets: [{ limit: usdcUnits(20000n), windowMs: 60_000 }],
      now: () => now,
    })
    authorize(policy, '10000').reservation.commit()
    now += 30_000
    authorize(policy, '10000').reservation.commit()
    expect(refusal(() => authorize(policy, '10000'))).toBeInstanceOf(BudgetExceededError)
    now += 29_999
    expect(refusal(() => authorize(policy, '10000'))).toBeInstanceOf(BudgetExceededError)
    now += 1 // the first payment is now 60 s old
    authorize(policy, '10000').reservation.commit()
    expect(refusal(() => authorize(policy, '1'))).toBeInstanceOf(BudgetExceededError)
  })

  test('an open reservation never ages out of a window', () => {
    let now = 0
    const policy = engine({
      budgets: [{ limit: usdcUnits(10000n), windowMs: 1000 }],
      now: () => now,
    })
    const pending = authorize(policy, '10000')
    now += 10_000
    expect(refusal(() => authorize(policy, '1'))).toBeInstanceOf(BudgetExceededError)
    // Committed now, it counts for the next second.
    pending.reservation.commit()
    now += 999
    expect(refusal(() => authorize(policy, '1'))).toBeInstanceOf(BudgetExceededError)
    now += 1
    expect(authorize(policy, '10000').candidate.amount).toBe(10000n)
  })

  test('per-host budgets are separate per host and all budgets must fit', () => {
    const policy = engine({
      budgets: [
        { limit: '$0.02', scope: 'host' },
        { limit: '$0.03', scope: 'total' },
      ],
    })
    const a = new URL('https://a.example/x')
    const b = new URL('https://b.example/x')
    authorize(policy, '10000', a)
    authorize(policy, '10000', a)
    const perHost = refusal(() => authorize(policy, '10000', a)) as BudgetExceededError
    expect(perHost).toMatchObject({ scope: 'host', host: 'a.example' })
    authorize(policy, '10000', b)
    const total = refusal(() => authorize(policy, '10000', b)) as BudgetExceededError
    expect(total).toMatchObject({ scope: 'total', host: undefined, spent: 30000n })
  })

  test('a budget in whole units adds up assets of different decimals', () => {
    const policy = engine({ budgets: [{ limit: '$0.03' }] })
    authorize(policy, '10000') // 0.01 USDC
    // Another route: this one was paid in USDC and keeps to it.
    const daiRoute = new URL('https://api.example.com/dai')
    policy.decide({
      challenge: challengeAt(
        daiRoute,
        option({ asset: dai, amount: '10000000000000000', extra: { name: 'Dai', version: '1' } }),
      ),
      url: daiRoute,
      method: 'GET',
      assets: registry,
    }) // 0.01 DAI
    authorize(policy, '10000')
    expect(refusal(() => authorize(policy, '1'))).toBeInstanceOf(BudgetExceededError)
  })

  test('an atomic budget counts its own asset only: an 18-decimal payment is refused, not added raw', () => {
    const policy = engine({ budgets: [{ limit: usdcUnits(30_000n) }] })
    authorize(policy, '10000')
    const daiRoute = new URL('https://api.example.com/dai')
    const daiOption = option({ asset: dai, amount: '1', extra: { name: 'Dai', version: '1' } })
    const error = refusal(() =>
      policy.decide({
        challenge: challengeAt(daiRoute, daiOption),
        url: daiRoute,
        method: 'GET',
        assets: registry,
      }),
    )
    expect(error).toBeInstanceOf(BudgetExceededError)
    expect(error.reason).toBe(
      `the budget cannot count this payment: it is in atomic units of ${baseSepoliaUsdc.toLowerCase()} on eip155:84532, not of ${dai}`,
    )
    // Its own asset still adds up, in its atomic units.
    authorize(policy, '20000')
    expect(refusal(() => authorize(policy, '1'))).toBeInstanceOf(BudgetExceededError)
  })

  test('a whole-unit budget counts a 6- and an 18-decimal payment by their decimals', () => {
    const policy = engine({ budgets: [{ limit: '$0.02' }] })
    authorize(policy, '10000') // 0.01 USDC, 6 decimals
    const daiRoute = new URL('https://api.example.com/dai')
    policy.decide({
      challenge: challengeAt(
        daiRoute,
        option({ asset: dai, amount: '10000000000000000', extra: { name: 'Dai', version: '1' } }),
      ),
      url: daiRoute,
      method: 'GET',
      assets: registry,
    }) // 0.01 DAI, 18 decimals
    // 0.02 in whole units at 18 decimals: not 10_000 + 10^16 raw units.
    expect(policy.usage()[0]).toMatchObject({ reserved: 2n * 10n ** 16n })
    expect(refusal(() => authorize(policy, '1'))).toBeInstanceOf(BudgetExceededError)
  })

  test('an option over budget gives way to a cheaper one that fits', () => {
    const policy = engine({ budgets: [{ limit: usdcUnits(15000n) }] })
    authorize(policy, '10000')
    const { candidate } = policy.decide({
      challenge: challenge(option({ amount: '6000' }), option({ amount: '5000' })),
      url,
      method: 'GET',
      assets: registry,
    })
    expect(candidate.amount).toBe(5000n)
  })

  test('100 concurrent calls against a budget for 10 reserve exactly 10', async () => {
    const policy = engine({ budgets: [{ limit: '$0.10' }] })
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, async (_, i) => {
        // Interleave the calls: each resumes after others have run.
        await new Promise((resolve) => setTimeout(resolve, i % 7))
        const { reservation } = authorize(policy, '10000')
        await new Promise((resolve) => setTimeout(resolve, 5))
        reservation.commit()
      }),
    )
    const refused = outcomes.filter((o) => o.status === 'rejected')
    expect(outcomes.length - refused.length).toBe(10)
    expect(refused.every((o) => o.reason instanceof BudgetExceededError)).toBe(true)
    expect(policy.usage()[0]).toMatchObject({ committed: 10n ** 17n, reserved: 0n })
  })
})

describe('route memory', () => {
  const pay = (policy: ReturnType<typeof engine>, ...accepts: PaymentRequirements[]) =>
    policy.decide({ challenge: challenge(...accepts), url, method: 'GET', assets: registry })

  test('the first payment pins payee, network and asset; a switch is refused', () => {
    const policy = engine()
    pay(policy, option())
    expect(refusal(() => pay(policy, option({ payTo: other }))).guard).toBe('payeeChange')
    expect(
      refusal(() =>
        pay(
          policy,
          option({
            network: 'eip155:8453',
            asset: baseUsdc,
            extra: { name: 'USD Coin', version: '2' },
          }),
        ),
      ).guard,
    ).toBe('networkChange')
    expect(
      refusal(() => pay(policy, option({ asset: dai, extra: { name: 'Dai', version: '1' } })))
        .guard,
    ).toBe('assetChange')
    // Another method is another route.
    expect(
      policy.decide({
        challenge: challenge(option({ payTo: other })),
        url,
        method: 'POST',
        assets: registry,
      }).candidate.payTo,
    ).toBe(other)
  })

  test('abandon forgets the pins, the learnt price and the rate-limit slot it took', () => {
    const policy = engine({ rateLimit: { max: 1 } })
    pay(policy, option({ amount: '1000' })).abandon()
    // Nothing was signed: another payee, at ten times the price, is still possible.
    const { candidate } = pay(policy, option({ payTo: other, amount: '10000' }))
    expect(candidate.payTo).toBe(other)
    expect(refusal(() => pay(policy, option({ payTo: other }))).guard).toBe('rateLimit')
  })

  test('learnt prices: the lowest paid within the window, plus the allowed increase', () => {
    let now = 0
    const policy = engine({
      now: () => now,
      learnPrices: { maxIncreasePercent: 50, windowMs: 1000 },
    })
    pay(policy, option({ amount: '10000' }))
    pay(policy, option({ amount: '15000' }))
    const error = refusal(() => pay(policy, option({ amount: '15001' })))
    expect(error.guard).toBe('price')
    expect(error.refusal.values).toEqual({
      amount: 15001n,
      expected: 15000n,
      learnt: 10000n,
      source: 'learnt',
    })
    // Once the lowest price is older than the window, the next payment sets a new reference.
    now += 1000
    pay(policy, option({ amount: '15001' }))
    expect(refusal(() => pay(policy, option({ amount: '30000' }))).guard).toBe('price')
  })

  test('an explicit price replaces the learnt one', () => {
    const policy = engine({ prices: { 'api.example.com': '$0.05' } })
    pay(policy, option({ amount: '10000' }))
    expect(pay(policy, option({ amount: '50000' })).candidate.amount).toBe(50000n)
    expect(refusal(() => pay(policy, option({ amount: '50001' }))).guard).toBe('price')
  })

  test('the rate limit counts payments and payments answered with a 402', () => {
    let now = 0
    const policy = engine({
      now: () => now,
      rateLimit: { max: 3, maxRefused: 1, windowMs: 100 },
    })
    pay(policy, option())
    pay(policy, option())
    pay(policy, option())
    const error = refusal(() => pay(policy, option()))
    expect(error).toBeInstanceOf(RateLimitedError)
    expect(error).toMatchObject({ kind: 'payments', limit: 3, retryAfterMs: 100 })
    now += 100
    pay(policy, option()).recordRefusal()
    expect(refusal(() => pay(policy, option()))).toMatchObject({ kind: 'refused', limit: 1 })
  })

  test('the lifetime is the shorter of the server’s and the cap', () => {
    expect(pay(engine(), option({ maxTimeoutSeconds: 60 })).validForSeconds).toBe(60)
    expect(pay(engine(), option({ maxTimeoutSeconds: 86_400 })).validForSeconds).toBe(300)
    expect(
      pay(engine({ maxAuthorizationSeconds: 10 }), option({ maxTimeoutSeconds: 60 }))
        .validForSeconds,
    ).toBe(10)
  })

  test('resource and redirect rules use the URL that answered and the one requested', () => {
    const policy = engine({ allowRedirectTo: ['https://pay.example'] })
    const paid = new URL('https://pay.example/report')
    const elsewhere = new URL('https://evil.example/report')
    const at = (answered: URL) =>
      policy.decide({
        challenge: challengeAt(answered, option()),
        url: answered,
        requestedUrl: url,
        method: 'GET',
        assets: registry,
      })
    expect(at(paid).route).toBe('GET https://pay.example/report')
    expect(refusal(() => at(elsewhere)).guard).toBe('redirect')
    expect(
      refusal(() =>
        policy.decide({
          challenge: challengeAt(paid, option()),
          url,
          method: 'GET',
          assets: registry,
        }),
      ).guard,
    ).toBe('resource')
  })

  test('a resource named as the transport names it passes the resource rule, exactly only', () => {
    const policy = engine()
    const tool = new URL('https://mcp.example/mcp/tools/forecast')
    const named = (resource: string, resourceNames?: readonly string[]) =>
      policy.decide({
        challenge: challengeAt(new URL(resource), option()),
        url: tool,
        method: 'tools/call',
        resourceNames,
        assets: registry,
      })
    expect(named('mcp://tool/forecast', ['mcp://tool/forecast']).route).toBe(
      'tools/call https://mcp.example/mcp/tools/forecast',
    )
    expect(refusal(() => named('mcp://tool/forecast')).guard).toBe('resource')
    expect(refusal(() => named('mcp://tool/other', ['mcp://tool/forecast'])).guard).toBe('resource')
  })
})

describe('hooks', () => {
  const parameters = (...accepts: PaymentRequirements[]) => ({
    challenge: {
      x402Version: 2 as const,
      paymentRequired: {
        x402Version: 2 as const,
        resource: { url: url.href },
        accepts: accepts as [PaymentRequirements, ...PaymentRequirements[]],
        extensions: {
          erc8004: { info: { agentRegistry: `eip155:84532:${dai}`, agentId: '1' } },
        },
      },
    },
    url,
    method: 'GET',
    assets: registry,
  })

  test('verifyPayee runs in prepare for the payees the cheap rules accept, once each', async () => {
    const asked: string[] = []
    const policy = engine({
      payees: { deny: [other] },
      verifyPayee: async ({ payTo, agent }) => {
        asked.push(`${agent.agentId} ${payTo}`)
      },
    })
    const input = parameters(option(), option({ amount: '20000' }), option({ payTo: other }))
    const prepared = await policy.prepare(input)
    expect(asked).toEqual([`1 ${payee}`])
    expect(policy.decide({ ...input, prepared }).candidate.amount).toBe(10000n)
    // Without the preparation, the payee counts as not verified.
    expect(refusal(() => engine({ verifyPayee: async () => {} }).decide(input)).guard).toBe(
      'identity',
    )
  })

  test('expectPrice runs in prepare; authorize without it refuses', async () => {
    const policy = engine({ expectPrice: () => usdcUnits(5000n) })
    const input = parameters(option({ amount: '5001' }))
    const prepared = await policy.prepare(input)
    expect(prepared.expected?.source).toBe('expectPrice')
    expect(refusal(() => policy.decide({ ...input, prepared })).refusal.values).toMatchObject({
      expected: 5000n,
    })
    expect(refusal(() => policy.decide(input)).reason).toBe('the expected price could not be found')
  })
})

test('malformed guard settings fail when the policy is created, naming the option', () => {
  const option = (parameters: PolicyParameters) => {
    try {
      engine(parameters)
    } catch (error) {
      if (error instanceof InvalidPolicyError) return error.option
      throw error
    }
    throw new Error('expected an InvalidPolicyError')
  }
  expect(option({ maxAuthorizationSeconds: 0 })).toBe('maxAuthorizationSeconds')
  expect(option({ rateLimit: { max: 0 } })).toBe('rateLimit.max')
  expect(option({ rateLimit: { windowMs: -1 } })).toBe('rateLimit.windowMs')
  expect(option({ learnPrices: { maxIncreasePercent: 1.5 } })).toBe(
    'learnPrices.maxIncreasePercent',
  )
  expect(option({ allowRedirectTo: ['not a url'] })).toBe('allowRedirectTo')
  expect(option({ prices: { 'https://': '$1' } })).toBe('prices["https://"]')
  expect(option({ resourceBinding: 'loose' as never })).toBe('resourceBinding')
})

test('hold reserves a payment already made, even past a budget, until it is settled or released', () => {
  const policy = engine({
    budgets: [{ limit: usdcUnits(10_000n) }, { limit: '$0.01', scope: 'host' }],
  })
  const payment = {
    amount: 15_000n,
    network: 'eip155:84532',
    asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    payTo: '0x1111111111111111111111111111111111111111',
    host: 'api.example.com',
    decimals: 6,
  }
  const held = policy.hold(payment)
  expect(policy.usage().map((u) => [u.key, u.reserved])).toEqual([
    ['', 15_000n],
    ['api.example.com', 15n * 10n ** 15n],
  ])
  held.commit()
  expect(policy.usage().map((u) => [u.committed, u.reserved])).toEqual([
    [15_000n, 0n],
    [15n * 10n ** 15n, 0n],
  ])
  policy.hold(payment).release()
  expect(policy.usage()[0]).toMatchObject({ committed: 15_000n, reserved: 0n })
})

test('usage reads as each limit is written: whole units as a string, atomic units as a bigint', () => {
  const host = { limit: '$0.05', scope: 'host', windowMs: 60_000 } as const
  const atomic = { limit: usdcUnits(50_000n) }
  const policy = engine({ budgets: [atomic, host] })
  const payment = {
    amount: 15_000n,
    network: 'eip155:84532',
    asset: '0x036CbD53842c5426634e7929541eC2318f3dCF7e',
    payTo: '0x1111111111111111111111111111111111111111',
    host: 'api.example.com',
    decimals: 6,
  }
  policy.hold(payment).commit()
  policy.hold({ ...payment, amount: 2_500n })
  expect(policy.usage()).toEqual([
    {
      budget: atomic,
      key: '',
      committed: 15_000n,
      reserved: 2_500n,
      decimals: undefined,
      used: 17_500n,
    },
    {
      budget: host,
      key: 'api.example.com',
      committed: 15n * 10n ** 15n,
      reserved: 25n * 10n ** 14n,
      decimals: 18,
      used: '0.0175',
    },
  ])
})
