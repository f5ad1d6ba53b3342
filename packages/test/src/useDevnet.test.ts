import { erc20Abi } from 'viem'
import { afterAll, describe, expect, test } from 'vitest'
import { FixtureOutsideTestError } from './errors.js'
import { useDevnet } from './useDevnet.js'

let pid: number | undefined

describe('useDevnet', () => {
  const devnet = useDevnet({ accounts: 2, chainId: 84532 })

  test('is the started devnet, called or read', async () => {
    expect(devnet().chainId).toBe(84532)
    expect(devnet.network).toBe('eip155:84532')
    expect(devnet.accounts).toHaveLength(2)
    expect('usdcAlt' in devnet).toBe(true)
    const [account] = devnet.accounts
    expect(
      await devnet.publicClient.readContract({
        address: devnet.usdc.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [account!.address],
      }),
    ).toBe(1_000_000_000n)
    pid = devnet.pid
  })

  test('methods keep their devnet when detached', async () => {
    const { mint } = devnet
    await mint('0x000000000000000000000000000000000000dEaD', 5n)
    expect(
      await devnet.publicClient.readContract({
        address: devnet.usdc.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: ['0x000000000000000000000000000000000000dEaD'],
      }),
    ).toBe(5n)
  })
})

describe('useDevnet before its beforeAll', () => {
  const devnet = useDevnet({ accounts: 0 })
  let early: unknown
  try {
    void devnet.chainId
  } catch (error) {
    early = error
  }

  test('reading during collection threw; inside a test it works', () => {
    expect(early).toBeInstanceOf(Error)
    expect((early as Error).message).toMatch(/only available inside tests and hooks/)
    expect(devnet.chainId).toBe(31337)
  })
})

// File-level afterAll runs after every describe's afterAll: the devnet is stopped by then.
afterAll(() => {
  expect(pid).toBeTypeOf('number')
  expect(() => process.kill(pid!, 0)).toThrow()
})

describe('useDevnet read before its beforeAll', () => {
  const devnet = useDevnet({ accounts: 0 })
  let thrown: unknown
  try {
    void devnet.chainId
  } catch (error) {
    thrown = error
  }

  test('throws FixtureOutsideTestError, a Tollgate error naming the fixture', () => {
    expect(thrown).toBeInstanceOf(FixtureOutsideTestError)
    expect(thrown).toMatchObject({
      fixture: 'useDevnet',
      code: 'TOLLGATE_TEST_FIXTURE_OUTSIDE_TEST',
      shortMessage: 'useDevnet() is only available inside tests and hooks.',
    })
    expect(devnet.chainId).toBe(31337)
  })
})
