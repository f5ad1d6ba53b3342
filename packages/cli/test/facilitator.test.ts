import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testUsdcAbi } from '@tollgate/contracts'
import type { PaymentRequirements } from '@tollgate/core'
import { createPaymentPayload } from '@tollgate/evm'
import { useDevnet } from '@tollgate/test'
import type { Hash } from 'viem'
import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { type CliProcess, runCli, spawnCli, stopCli } from './cli.js'

// Blocks every second: a `confirmed` settle stays in flight long enough to be interrupted.
const devnet = useDevnet({ accounts: 3, blockTime: 1 })
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-facilitator-'))
const started: CliProcess[] = []
afterEach(async () => {
  for (const cli of started.splice(0)) await stopCli(cli)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function writeJson(name: string, value: unknown): string {
  const path = join(dir, name)
  writeFileSync(path, JSON.stringify(value))
  return path
}

describe('tollgate facilitator: configuration', () => {
  test('--help shows the flags, the variables and examples', async () => {
    const { code, stdout } = await runCli(['facilitator', '--help'])
    expect(code).toBe(0)
    expect(stdout).toContain('Usage: tollgate facilitator [options]')
    expect(stdout).toContain('TOLLGATE_DATABASE_URL')
    expect(stdout).toContain('Examples:')
  })

  test('a bad config file: every field path and why, exit code 2', async () => {
    const config = writeJson('bad.json', {
      chains: [{ chainId: 0, rpcUrls: ['ftp://node'], batchSettler: '0x12' }],
      keyFile: 'signer.key',
      database: 'mysql://db',
      mode: 'fast',
      port: 70_000,
      apiKeys: ['short'],
      color: 'blue',
    })
    const { code, stdout, stderr } = await runCli(['facilitator', '--config', config])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatchInlineSnapshot(`
      "tollgate facilitator: Invalid configuration: 8 problems.
        - chains[0].chainId: Too small: expected number to be >0
        - chains[0].rpcUrls[0]: expected an http(s) or ws(s) URL
        - chains[0].batchSettler: expected a 0x-prefixed 20-byte address
        - database: expected sqlite:<path> or postgres://user:password@host/database
        - mode: Invalid option: expected one of "confirmed"|"submitted"|"queued"
        - apiKeys[0]: an API key needs at least 16 characters
        - port: Too big: expected number to be <=65535
        - color: unknown field
      "
    `)
  })

  test('nothing configured: the missing fields; flags and variables are checked the same way', async () => {
    const empty = await runCli(['facilitator', '--json'])
    expect(empty.code).toBe(2)
    expect(JSON.parse(empty.stdout)).toEqual({
      error: {
        code: 'TOLLGATE_CLI_CONFIG',
        message: 'Invalid configuration: 3 problems.',
        issues: [
          { path: 'chains', message: 'Invalid input: expected array, received undefined' },
          { path: 'keyFile', message: 'Invalid input: expected string, received undefined' },
          { path: 'database', message: 'Invalid input: expected string, received undefined' },
        ],
      },
    })
    const flags = await runCli(
      ['facilitator', '--chain-id', 'base', '--rpc', 'http://127.0.0.1:1', '--port', '80a'],
      { env: { TOLLGATE_KEY_FILE: 'k', TOLLGATE_DATABASE_URL: 'sqlite:x.db' } },
    )
    expect(flags.code).toBe(2)
    expect(flags.stderr).toContain(
      '- chains[0].chainId: Invalid input: expected number, received string',
    )
    expect(flags.stderr).toContain('- port: Invalid input: expected number, received string')
  })

  test('an unreadable config file or key file is a configuration error (exit 2)', async () => {
    const missing = await runCli(['facilitator', '--config', join(dir, 'nope.json')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('- --config: cannot read')
    const config = writeJson('nokey.json', {
      chains: [{ chainId: devnet.chainId, rpcUrls: [devnet.rpcUrl] }],
      keyFile: 'missing.key',
      database: 'sqlite::memory:',
    })
    const noKey = await runCli(['facilitator', '--config', config])
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toBe(
      `tollgate facilitator: Cannot read the key file ${join(dir, 'missing.key')}: no such file.\n`,
    )
  })
})

describe('tollgate facilitator: secrets', () => {
  test('a PostgreSQL password and the signer key never show, even when the database is down', async () => {
    const settler = devnet.accounts[2]!
    writeFileSync(join(dir, 'pg-signer.key'), settler.privateKey)
    const config = writeJson('pg.json', {
      chains: [{ chainId: devnet.chainId, rpcUrls: [devnet.rpcUrl] }],
      keyFile: 'pg-signer.key',
      database: 'postgres://tollgate:hunter2-secret@127.0.0.1:1/tollgate',
    })
    const result = await runCli(['facilitator', '--config', config, '--json'])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^tollgate facilitator: .+/)
    const all = `${result.stdout}${result.stderr}`
    expect(all).not.toContain('hunter2-secret')
    expect(all.toLowerCase()).not.toContain(settler.privateKey.slice(2).toLowerCase())
    expect(JSON.parse(result.stdout).error.code).toBe('TOLLGATE_LEDGER_OPEN')
  })
})

describe('tollgate facilitator: the service', () => {
  test('serves /supported from a config file on SQLite; SIGTERM exits 0 after the in-flight settle completes', async () => {
    const [payer, payee, settler] = devnet.accounts
    writeFileSync(join(dir, 'signer.key'), `${settler!.privateKey}\n`)
    const config = writeJson('facilitator.json', {
      chains: [
        {
          chainId: devnet.chainId,
          rpcUrls: ['http://127.0.0.1:9', devnet.rpcUrl],
          assets: [{ address: devnet.usdc.address, name: devnet.usdc.name }],
          pollingIntervalMs: 100,
        },
      ],
      keyFile: 'signer.key',
      database: 'sqlite:facilitator.db',
      mode: 'confirmed',
      port: 0,
    })
    const cli = spawnCli(['facilitator', '--config', config, '--json'])
    started.push(cli)
    const ready = await cli.waitFor(({ stdout }) =>
      stdout.includes('\n') ? JSON.parse(stdout.split('\n')[0]!) : undefined,
    )
    expect(ready).toMatchObject({
      chains: [devnet.chainId],
      signer: settler!.address,
      database: `sqlite:${join(dir, 'facilitator.db')}`,
      mode: 'confirmed',
      apiKeys: 0,
    })
    const supported = await (await fetch(`${ready.url}/supported`)).json()
    expect(supported.kinds).toContainEqual(
      expect.objectContaining({ x402Version: 2, scheme: 'exact', network: devnet.network }),
    )

    const requirements: PaymentRequirements = {
      scheme: 'exact',
      network: devnet.network,
      amount: '25000',
      asset: devnet.usdc.address,
      payTo: payee!.address,
      maxTimeoutSeconds: 300,
      extra: { name: devnet.usdc.name, version: devnet.usdc.version },
    }
    const paymentPayload = await createPaymentPayload(payer!.account, {
      requirements,
      resource: { url: 'http://127.0.0.1/report' },
    })
    const post = (path: string) =>
      fetch(`${ready.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ x402Version: 2, paymentPayload, paymentRequirements: requirements }),
      })
    expect(await (await post('/verify')).json()).toMatchObject({ isValid: true })
    const before = await devnet.publicClient.readContract({
      address: devnet.usdc.address,
      abi: testUsdcAbi,
      functionName: 'balanceOf',
      args: [payee!.address],
    })

    // No block comes until the signal has gone: the settle is in flight when the CLI is told to stop.
    await devnet.testClient.setIntervalMining({ interval: 0 })
    let answeredAt = 0
    let signalledAt = 0
    let settled: { transaction?: string } = {}
    try {
      const settling = post('/settle').then((response) => {
        answeredAt = performance.now()
        return response
      })
      await new Promise((resolve) => setTimeout(resolve, 150))
      cli.child.kill('SIGTERM')
      signalledAt = performance.now()
      await new Promise((resolve) => setTimeout(resolve, 100))
      await devnet.testClient.mine({ blocks: 1 })
      settled = await (await settling).json()
    } finally {
      await devnet.testClient.setIntervalMining({ interval: 1 })
    }
    // The settle was still waiting for its block when the signal came.
    expect(answeredAt).toBeGreaterThan(signalledAt)
    expect(settled).toMatchObject({ success: true, network: devnet.network })
    expect(await cli.exited).toEqual({ code: 0, signal: null })
    expect(cli.stderr).toContain('stopping, finishing requests in flight')
    expect(cli.stderr).toContain('tollgate facilitator: stopped')

    const receipt = await devnet.publicClient.getTransactionReceipt({
      hash: settled.transaction as Hash,
    })
    expect(receipt.status).toBe('success')
    const after = await devnet.publicClient.readContract({
      address: devnet.usdc.address,
      abi: testUsdcAbi,
      functionName: 'balanceOf',
      args: [payee!.address],
    })
    expect(after - before).toBe(25_000n)
    // The signer's key was read, and never printed.
    const key = settler!.privateKey.slice(2).toLowerCase()
    expect(`${cli.stdout}${cli.stderr}`.toLowerCase()).not.toContain(key)
  }, 60_000)
})
