import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { testUsdcAbi } from '@tollgate/contracts'
import { getDefaultAsset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runCli } from './cli.js'

// A new user on Base with a key that holds no USDC: the server refuses every payment for want of
// balance. `tollgate pay` must never call that paid. The devnet runs as Base (chain 8453) with test
// USDC at Base's USDC address, so the token is the registry's and no --rpc is needed to pay it.
const devnet = useDevnet({ accounts: 2, chainId: 8453 })
const usdc = getDefaultAsset('eip155:8453')!
let server: Server
let url: string

beforeAll(async () => {
  await devnet.placeUsdcAt(usdc.address)
  const [seller, settler] = devnet.accounts
  const paywall = createPaywall(
    createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(settler!.account),
    }),
    {
      routes: {
        'GET /report': { price: '$0.01', network: 'eip155:8453', payTo: seller!.address },
      },
    },
  )
  server = createServer((req, res) =>
    paywall(req, res, () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ report: 'paid content' }))
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/report`
})
afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

const balanceOf = (address: Address) =>
  devnet.publicClient.readContract({
    address: usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

describe('tollgate pay: a payment the server refuses is never reported as paid', () => {
  test('an RPC that cannot tell: unknown whether paid, with the reason and until when it can be spent', async () => {
    const key = generatePrivateKey()
    const [seller] = devnet.accounts
    const before = await balanceOf(seller!.address)
    // Port 9 is one fetch refuses at once: the chain cannot be asked, whatever this machine's
    // network (without --rpc, fetch would try Base's public RPC, which a machine online reaches).
    const { code, stdout, stderr } = await runCli(['pay', url, '--rpc', 'http://127.0.0.1:9'], {
      env: { TOLLGATE_PRIVATE_KEY: key },
    })
    expect(code).toBe(1)
    // No line claims a payment: "paid" appears only as "unknown whether paid".
    const claims = `${stdout}${stderr}`
      .split('\n')
      .filter((line) => /\bpaid\b/.test(line) && !/unknown whether paid/.test(line))
    expect(claims).toEqual([])
    expect(stdout).toMatch(
      /^ {2}outcome {6}unknown whether paid: the server refused the payment \(invalid_exact_evm_insufficient_balance\), and nothing proved the authorization unspent; the authorization can be spent until \d{4}-\d\d-\d\dT[\d:.]+Z\. Pass --rpc \(or set TOLLGATE_RPC_URL\) to check it on-chain$/m,
    )
    expect(stdout).toContain('  status       indeterminate (disputed: settlement-missing)\n')
    expect(stdout).toContain('  amount       0.01 USDC on eip155:8453 (may be charged)\n')
    expect(stderr).toContain('• 402: unknown whether paid:')
    expect(await balanceOf(seller!.address)).toBe(before)
  })

  test('with --rpc: not paid, the chain shows the authorization unspent; --json says paid: false', async () => {
    const key = generatePrivateKey()
    const text = await runCli(['pay', url, '--rpc', devnet.rpcUrl], {
      env: { TOLLGATE_PRIVATE_KEY: key },
    })
    expect(text.code).toBe(1)
    expect(text.stdout).toContain(
      '  outcome      not paid: the server refused the payment (invalid_exact_evm_insufficient_balance); the chain shows it unspent\n',
    )
    expect(text.stdout).toContain('  status       refused\n')
    expect(text.stdout).toContain('  amount       0.01 USDC on eip155:8453 (not charged)\n')

    const json = await runCli(['pay', url, '--json'], {
      env: { TOLLGATE_PRIVATE_KEY: key, TOLLGATE_RPC_URL: devnet.rpcUrl },
    })
    expect(json.code).toBe(1)
    const document = JSON.parse(json.stdout)
    expect(Object.keys(document)).toEqual(['status', 'body', 'outcome', 'receipt'])
    expect(document.status).toBe(402)
    expect(document.outcome).toEqual({
      paid: false,
      status: 'refused',
      reason: 'invalid_exact_evm_insufficient_balance',
      message:
        'not paid: the server refused the payment (invalid_exact_evm_insufficient_balance); the chain shows it unspent',
      spendableUntil: null,
    })
    expect(document.receipt).toMatchObject({
      status: 'refused',
      amount: '10000',
      transaction: null,
    })
    expect(privateKeyToAccount(key).address).not.toBe(document.receipt.payTo)
  })

  test('a plain-http host that is not loopback is refused before signing; --allow-http pays it', async () => {
    // 0.0.0.0 reaches this machine's loopback listener, but is not a loopback name or address.
    const remote = url.replace('127.0.0.1', '0.0.0.0')
    const env = { TOLLGATE_PRIVATE_KEY: generatePrivateKey(), TOLLGATE_RPC_URL: devnet.rpcUrl }
    const refused = await runCli(['pay', remote], { env })
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('refused: nothing signed, nothing paid')
    expect(refused.stderr).toContain('--allow-http changes this rule')
    expect(refused.stdout).not.toContain('outcome')
    // With the flag the payment is signed and sent (and refused by the server: no USDC).
    const sent = await runCli(['pay', remote, '--allow-http'], { env })
    expect(sent.code).toBe(1)
    expect(sent.stdout).toContain(
      '  outcome      not paid: the server refused the payment (invalid_exact_evm_insufficient_balance); the chain shows it unspent\n',
    )
  })

  test('an unreachable --rpc only costs the on-chain check: the outcome stays unknown', async () => {
    const { code, stdout, stderr } = await runCli(['pay', url], {
      env: { TOLLGATE_PRIVATE_KEY: generatePrivateKey(), TOLLGATE_RPC_URL: 'http://127.0.0.1:9' },
    })
    expect(code).toBe(1)
    expect(stderr).toContain('• --rpc unreachable: a refused payment cannot be checked on-chain\n')
    expect(stdout).toContain('  outcome      unknown whether paid: the server refused the payment')
  })
})
