import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testUsdcAbi } from '@tollgate/contracts'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runCli } from './cli.js'

const devnet = useDevnet({ accounts: 3 })
const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-pay-'))
let server: Server
let url: string
let free: string
/** Requests the server received, by path. */
const received = new Map<string, number>()

beforeAll(async () => {
  const [, seller, settler] = devnet.accounts
  const paywall = createPaywall(
    createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(settler!.account),
      assets: [devnet.usdc],
    }),
    {
      assets: [devnet.usdc],
      routes: {
        'GET /report': {
          price: '$0.01',
          network: devnet.network,
          asset: devnet.usdc.address,
          payTo: seller!.address,
        },
        'POST /search': {
          price: '$0.02',
          network: devnet.network,
          asset: devnet.usdc.address,
          payTo: seller!.address,
        },
      },
    },
  )
  server = createServer((req, res) => {
    received.set(req.url ?? '', (received.get(req.url ?? '') ?? 0) + 1)
    return paywall(req, res, async () => {
      let body = ''
      for await (const chunk of req) body += chunk
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify(
          req.method === 'POST'
            ? { method: req.method, query: req.headers['x-query'], body }
            : { report: 'paid content', path: req.url },
        ),
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  url = `${origin}/report`
  free = `${origin}/free`
})
afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
  rmSync(dir, { recursive: true, force: true })
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

describe('tollgate pay', () => {
  test('pays once: the body, then the receipt; the key is never printed', async () => {
    const [buyer, seller] = devnet.accounts
    const before = await balanceOf(seller!.address)
    const receipts = join(dir, 'receipts.jsonl')
    const { code, stdout, stderr } = await runCli(
      ['pay', url, '--asset', devnet.usdc.address, '--max', '$0.05', '--receipts', receipts],
      { env: { TOLLGATE_PRIVATE_KEY: buyer!.privateKey, TOLLGATE_RPC_URL: devnet.rpcUrl } },
    )
    expect(stderr).not.toContain('tollgate pay:')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^\{"report":"paid content","path":"\/report"\}\n\nReceipt\n/)
    const transaction = stdout.match(/transaction {2}(0x[0-9a-f]{64})/)?.[1]
    expect(transaction).toBeDefined()
    expect(stdout).toContain('  outcome      paid\n')
    expect(stdout).toContain('  status       settled\n')
    expect(stdout).toContain(`  amount       0.01 USDC on ${devnet.network}\n`)
    expect(stdout).toContain(`  to           ${seller!.address}`)
    expect(await balanceOf(seller!.address)).toBe(before + 10_000n)
    const logged = readFileSync(receipts, 'utf8').trim().split('\n')
    expect(logged).toHaveLength(1)
    expect(logged[0]).toContain(transaction)
    expect(stderr).toContain(`paying from ${buyer!.address}, at most $0.05`)
    const key = buyer!.privateKey.slice(2)
    expect(`${stdout}${stderr}`.toLowerCase()).not.toContain(key.toLowerCase())
  })

  test('one paid request reaches the server twice: unpaid, then paid', async () => {
    const [buyer] = devnet.accounts
    received.clear()
    const { code } = await runCli(['pay', url, '--asset', devnet.usdc.address], {
      env: { TOLLGATE_PRIVATE_KEY: buyer!.privateKey, TOLLGATE_RPC_URL: devnet.rpcUrl },
    })
    expect(code).toBe(0)
    expect(received.get('/report')).toBe(2)
  })

  test('--json: one document with the status, the body and the receipt', async () => {
    const [buyer] = devnet.accounts
    const keyFile = join(dir, 'buyer.key')
    writeFileSync(keyFile, `  ${buyer!.privateKey}\n`)
    const { code, stdout } = await runCli([
      'pay',
      url,
      '--asset',
      devnet.usdc.address,
      '--rpc',
      devnet.rpcUrl,
      '--key-file',
      keyFile,
      '--json',
    ])
    expect(code).toBe(0)
    const document = JSON.parse(stdout)
    expect(Object.keys(document)).toEqual(['status', 'body', 'outcome', 'receipt'])
    expect(document.outcome).toEqual({
      paid: true,
      status: 'settled',
      reason: null,
      message: 'paid',
      spendableUntil: null,
    })
    expect(document.status).toBe(200)
    expect(JSON.parse(document.body)).toEqual({ report: 'paid content', path: '/report' })
    expect(document.receipt).toMatchObject({
      status: 'settled',
      disputed: null,
      method: 'GET',
      x402Version: 2,
      network: devnet.network,
      asset: devnet.usdc.address,
      amount: '10000',
    })
    expect(document.receipt.transaction).toMatch(/^0x[0-9a-f]{64}$/)
  })

  test('-X, -H and -d: the paid request carries the method, the headers and the body', async () => {
    const [buyer] = devnet.accounts
    const search = url.replace('/report', '/search')
    const { code, stdout } = await runCli(
      ['pay', search, '-X', 'post', '-H', 'x-query: weather', '-d', '{"q":"rain"}'].concat([
        '--asset',
        devnet.usdc.address,
        '--json',
      ]),
      { env: { TOLLGATE_PRIVATE_KEY: buyer!.privateKey, TOLLGATE_RPC_URL: devnet.rpcUrl } },
    )
    expect(code).toBe(0)
    const document = JSON.parse(stdout)
    expect(JSON.parse(document.body)).toEqual({
      method: 'POST',
      query: 'weather',
      body: '{"q":"rain"}',
    })
    expect(document.receipt).toMatchObject({ status: 'settled', method: 'POST', amount: '20000' })
  })

  test('--dry-run shows the requirements and signs nothing, without a key', async () => {
    const [buyer, seller] = devnet.accounts
    const before = await balanceOf(buyer!.address)
    const text = await runCli(['pay', url, '--asset', devnet.usdc.address, '--dry-run'], {
      env: { TOLLGATE_RPC_URL: devnet.rpcUrl },
    })
    expect(text.code).toBe(0)
    expect(text.stdout).toContain('Dry run: nothing signed.')
    expect(text.stdout).toMatch(
      new RegExp(
        `^1\\s+exact\\s+${devnet.network}\\s+0\\.01 USDC\\s+${devnet.usdc.address}\\s+${seller!.address}$`,
        'm',
      ),
    )
    const json = await runCli(['pay', url, '--dry-run', '--json'])
    expect(json.code).toBe(0)
    const document = JSON.parse(json.stdout)
    expect(document).toMatchObject({ url, x402Version: 2, dryRun: true })
    expect(document.requirements).toEqual([
      {
        scheme: 'exact',
        network: devnet.network,
        amount: '10000',
        // Without --asset the devnet token is unknown: the amount stays atomic.
        asset: devnet.usdc.address,
        payTo: seller!.address,
        maxTimeoutSeconds: expect.any(Number),
        extra: { name: devnet.usdc.name, version: devnet.usdc.version },
      },
    ])
    expect(await balanceOf(buyer!.address)).toBe(before)
  })

  test('--max below the price refuses before signing (exit 1)', async () => {
    const [buyer] = devnet.accounts
    const before = await balanceOf(buyer!.address)
    const { code, stdout, stderr } = await runCli(
      ['pay', url, '--asset', devnet.usdc.address, '--max', '$0.005'],
      { env: { TOLLGATE_PRIVATE_KEY: buyer!.privateKey, TOLLGATE_RPC_URL: devnet.rpcUrl } },
    )
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain('refused: nothing signed, nothing paid')
    expect(stderr).toMatch(/tollgate pay: Payment refused by the \w+ rule: .*\n/)
    expect(await balanceOf(buyer!.address)).toBe(before)
  })

  test('bad input: a missing key, a bad key file, a bad URL, a bad --max (exit 2)', async () => {
    const noKey = await runCli(['pay', url, '--asset', devnet.usdc.address], {
      env: { TOLLGATE_RPC_URL: devnet.rpcUrl },
    })
    expect(noKey).toMatchObject({ code: 2, stdout: '' })
    expect(noKey.stderr).toContain(
      'tollgate pay: No private key: pass --key-file <path> or set TOLLGATE_PRIVATE_KEY.\n',
    )

    const secretish = 'not-a-key-but-private-content-0123456789'
    const badFile = join(dir, 'bad.key')
    writeFileSync(badFile, secretish)
    const badKey = await runCli(['pay', url, '--key-file', badFile, '--json'])
    expect(badKey.code).toBe(2)
    expect(JSON.parse(badKey.stdout)).toEqual({
      error: {
        code: 'TOLLGATE_CLI_KEY',
        message: `The key file ${badFile} does not hold a private key (64 hex digits, 0x optional).`,
      },
    })
    expect(`${badKey.stdout}${badKey.stderr}`).not.toContain(secretish)

    expect(await runCli(['pay', 'not a url'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'tollgate pay: Bad URL "not a url".\n',
    })
    expect((await runCli(['pay', 'ftp://host/file'])).stderr).toContain(
      'only http: and https: can be paid',
    )
    expect((await runCli(['pay', url, '--max', 'lots'])).code).toBe(2)
    expect((await runCli(['pay', url, '--bogus'])).stderr).toContain("Unknown option '--bogus'")
  })

  test('a free route: the body, nothing paid; --help has examples', async () => {
    const { code, stdout } = await runCli(['pay', free])
    // The paywall passes unpriced routes through to the handler.
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({ report: 'paid content', path: '/free' })
    const help = await runCli(['pay', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Examples:')
  })
})
