import { deployRegistries } from '@tollgate/contracts'
import { useDevnet } from '@tollgate/test'
import { beforeAll, describe, expect, test } from 'vitest'
import { runCli } from './cli.js'

const devnet = useDevnet({ accounts: 2 })
let env: Record<string, string>

beforeAll(async () => {
  const registries = await deployRegistries(
    devnet.walletClient(devnet.deployer.account),
    devnet.publicClient,
  )
  env = {
    TOLLGATE_RPC_URL: devnet.rpcUrl,
    TOLLGATE_IDENTITY_REGISTRY: registries.identityRegistry,
    TOLLGATE_REPUTATION_REGISTRY: registries.reputationRegistry,
  }
})

describe('tollgate agent', () => {
  test('register, resolve, find, feedback: the identity operations end to end', async () => {
    const [owner, client] = devnet.accounts
    const registered = await runCli(
      [
        'agent',
        'register',
        '--name',
        'weather',
        '--description',
        'Paid forecasts',
        '--service',
        'web=https://weather.example/api',
        '--x402',
        '--json',
      ],
      { env: { ...env, TOLLGATE_PRIVATE_KEY: owner!.privateKey } },
    )
    expect(registered.stderr).not.toContain('tollgate agent:')
    expect(registered.code).toBe(0)
    const agent = JSON.parse(registered.stdout)
    expect(agent).toMatchObject({
      agentId: '0',
      agentRegistry: `eip155:${devnet.chainId}:${env.TOLLGATE_IDENTITY_REGISTRY}`,
      owner: owner!.address,
      existing: false,
    })
    expect(agent.transactions.length).toBeGreaterThan(0)
    expect(`${registered.stdout}${registered.stderr}`.toLowerCase()).not.toContain(
      owner!.privateKey.slice(2).toLowerCase(),
    )

    const resolved = await runCli(['agent', 'resolve', '0', '--json'], { env })
    expect(resolved.code).toBe(0)
    expect(JSON.parse(resolved.stdout)).toMatchObject({
      agentId: '0',
      owner: owner!.address,
      agentWallet: owner!.address,
      name: 'weather',
      x402Support: true,
      services: [{ name: 'web', endpoint: 'https://weather.example/api' }],
      flags: { registrationMismatch: false, walletUnset: false },
    })
    const text = await runCli(['agent', 'resolve', '0'], { env })
    expect(text.stdout).toContain(`  wallet       ${owner!.address}`)
    expect(text.stdout).toContain('  service      web: https://weather.example/api')

    const found = await runCli(['agent', 'find', '--x402', '--service', 'web', '--json'], { env })
    expect(found.code).toBe(0)
    const { agents } = JSON.parse(found.stdout)
    expect(agents).toHaveLength(1)
    expect(agents[0]).toMatchObject({ agentId: '0', name: 'weather', owner: owner!.address })
    const none = await runCli(['agent', 'find', '--service', 'mcp'], { env })
    expect(none.stdout).toBe('No agent matches.\n')

    const payment = `0x${'ab'.repeat(32)}`
    const feedback = await runCli(
      [
        'agent',
        'feedback',
        '0',
        '--value',
        '95',
        '--tag1',
        'x402',
        '--payment-tx',
        payment,
        '--pay-to',
        owner!.address,
        '--json',
      ],
      { env: { ...env, TOLLGATE_PRIVATE_KEY: client!.privateKey } },
    )
    expect(feedback.stderr).not.toContain('tollgate agent:')
    expect(feedback.code).toBe(0)
    const given = JSON.parse(feedback.stdout)
    expect(given).toMatchObject({
      agentId: '0',
      feedbackIndex: '1',
      value: '95',
      proofOfPayment: payment,
      reputation: { count: '1', average: '95' },
    })
    const receipt = await devnet.publicClient.getTransactionReceipt({ hash: given.transaction })
    expect(receipt.status).toBe('success')
    expect(receipt.from.toLowerCase()).toBe(client!.address.toLowerCase())
  })

  test('bad input: clear messages, exit code 2', async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['agent'], {}, 'Missing the action: register, resolve, find or feedback.'],
      [['agent', 'promote'], {}, 'Unknown action "promote": register, resolve, find or feedback.'],
      [['agent', 'resolve', '0'], {}, 'Missing --rpc (or TOLLGATE_RPC_URL).'],
      [['agent', 'resolve', 'seven'], env, 'Bad <agentId> "seven": expected a whole number.'],
      [
        ['agent', 'resolve', '0', '--registry', '0x12'],
        { TOLLGATE_RPC_URL: 'http://127.0.0.1:1' },
        'Bad --registry "0x12": expected an address.',
      ],
      [
        ['agent', 'register', '--name', 'x'],
        env,
        'No private key: pass --key-file <path> or set TOLLGATE_PRIVATE_KEY.',
      ],
      [
        ['agent', 'feedback', '0', '--value', '150'],
        env,
        'Bad --value "150": expected a number from 0 to 100.',
      ],
    ]
    for (const [argv, caseEnv, message] of cases) {
      const result = await runCli(argv, { env: caseEnv })
      expect({ argv, code: result.code, stderr: result.stderr.split('\n')[0] }).toEqual({
        argv,
        code: 2,
        stderr: `tollgate agent: ${message}`,
      })
    }
    const json = await runCli(['agent', 'resolve', '0', '--json'])
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'TOLLGATE_CLI_USAGE', message: 'Missing --rpc (or TOLLGATE_RPC_URL).' },
    })
    // A runtime failure (nothing registered under this id) is exit code 1.
    const missing = await runCli(['agent', 'resolve', '42'], { env })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^tollgate agent: .+/)
    expect((await runCli(['agent', '--help'])).stdout).toContain('Examples:')
  })
})
