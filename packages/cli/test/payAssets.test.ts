import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { testTokenAbi, testTokenBytecode, testUsdcAbi } from '@tollgate/contracts'
import type { Asset } from '@tollgate/evm'
import { createLocalFacilitator, createPaywall } from '@tollgate/express'
import { useDevnet } from '@tollgate/test'
import type { Address } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { runCli } from './cli.js'

// Tokens outside the built-in registry: the devnet's test USDC (named by --asset or, as
// `tollgate dev --keep` prints it, TOLLGATE_USDC) and two test tokens that are not six-decimal:
// CENT with 2 decimals and TKN with 18. `--max` is whole units of the token paid, so the CLI must
// read each token's decimals on-chain.
const devnet = useDevnet({ accounts: 4 })
let origin: string
let cents: Asset
let token: Asset

async function deployToken(symbol: string, decimals: number): Promise<Asset> {
  const owner = devnet.accounts[3]!
  const wallet = devnet.walletClient(owner.account)
  const hash = await wallet.deployContract({
    abi: testTokenAbi,
    bytecode: testTokenBytecode,
    args: [`Test ${symbol}`, '1', owner.address, symbol, decimals],
  })
  const { contractAddress } = await devnet.publicClient.waitForTransactionReceipt({ hash })
  const address = contractAddress!
  const [buyer] = devnet.accounts
  await devnet.publicClient.waitForTransactionReceipt({
    hash: await wallet.writeContract({
      address,
      abi: testTokenAbi,
      functionName: 'mint',
      args: [buyer!.address, 10n ** BigInt(decimals + 3)],
    }),
  })
  return {
    chainId: devnet.chainId,
    network: devnet.network,
    address,
    symbol,
    decimals,
    eip712: { name: `Test ${symbol}`, version: '1' },
  }
}

let server: Server
beforeAll(async () => {
  cents = await deployToken('CENT', 2)
  token = await deployToken('TKN', 18)
  const [, seller, settler] = devnet.accounts
  const assets = [devnet.usdc, cents, token]
  const option = { network: devnet.network, payTo: seller!.address }
  const paywall = createPaywall(
    createLocalFacilitator({
      publicClient: devnet.publicClient,
      walletClient: devnet.walletClient(settler!.account),
      assets,
    }),
    {
      assets,
      routes: {
        'GET /usdc': { ...option, price: '$0.01', asset: devnet.usdc.address },
        // 5.00 CENT and 0.5 TKN, in atomic units of the named token.
        'GET /cents': { ...option, price: { amount: 500n, asset: cents.address } },
        'GET /token': { ...option, price: { amount: 5n * 10n ** 17n, asset: token.address } },
        // Not a token at all: an account's address.
        'GET /bogus': {
          ...option,
          price: { amount: 1n, asset: seller!.address, extra: { name: 'Bogus', version: '1' } },
        },
      },
    },
  )
  server = createServer((req, res) =>
    paywall(req, res, () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ paid: req.url }))
    }),
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => server?.close(resolve))
})

const balanceOf = (asset: Address, address: Address) =>
  devnet.publicClient.readContract({
    address: asset,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

describe('tollgate pay: tokens outside the registry', () => {
  test('TOLLGATE_USDC and TOLLGATE_RPC_URL, as tollgate dev --keep prints them, pay without flags', async () => {
    const [buyer, seller] = devnet.accounts
    const before = await balanceOf(devnet.usdc.address, seller!.address)
    const { code, stdout, stderr } = await runCli(['pay', `${origin}/usdc`], {
      env: {
        TOLLGATE_PRIVATE_KEY: buyer!.privateKey,
        TOLLGATE_USDC: devnet.usdc.address,
        TOLLGATE_RPC_URL: devnet.rpcUrl,
      },
    })
    expect(stderr).not.toContain('tollgate pay:')
    expect(code).toBe(0)
    expect(stdout).toContain('  outcome      paid\n')
    expect(stdout).toContain(`  amount       0.01 USDC on ${devnet.network}\n`)
    expect(await balanceOf(devnet.usdc.address, seller!.address)).toBe(before + 10_000n)
  })

  test('--asset comes before TOLLGATE_USDC: naming another token leaves the variable unread', async () => {
    const [buyer] = devnet.accounts
    const before = await balanceOf(devnet.usdc.address, buyer!.address)
    const { code, stderr } = await runCli(['pay', `${origin}/usdc`, '--asset', cents.address], {
      env: {
        TOLLGATE_PRIVATE_KEY: buyer!.privateKey,
        TOLLGATE_USDC: devnet.usdc.address,
        TOLLGATE_RPC_URL: devnet.rpcUrl,
      },
    })
    expect(code).toBe(1)
    expect(stderr).toContain('refused: nothing signed, nothing paid')
    expect(await balanceOf(devnet.usdc.address, buyer!.address)).toBe(before)
  })

  test('--max is whole units of the token paid: $0.10 of a 2-decimal token is 10 atomic units', async () => {
    const [buyer, seller] = devnet.accounts
    const before = await balanceOf(cents.address, seller!.address)
    const { code, stdout, stderr } = await runCli(
      ['pay', `${origin}/cents`, '--asset', cents.address, '--max', '$0.10'],
      { env: { TOLLGATE_PRIVATE_KEY: buyer!.privateKey, TOLLGATE_RPC_URL: devnet.rpcUrl } },
    )
    // The price is 5.00 CENT (500 atomic units): read as six decimals, $0.10 would allow 100000.
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toContain('refused: nothing signed, nothing paid')
    expect(await balanceOf(cents.address, seller!.address)).toBe(before)

    const dryRun = await runCli(['pay', `${origin}/cents`, '--asset', cents.address, '--dry-run'], {
      env: { TOLLGATE_RPC_URL: devnet.rpcUrl },
    })
    expect(dryRun.stdout).toMatch(/\s5 CENT\s/)
  })

  test('--max 1 is one whole token: 0.5 of an 18-decimal token is within it and paid', async () => {
    const [buyer, seller] = devnet.accounts
    const before = await balanceOf(token.address, seller!.address)
    const { code, stdout, stderr } = await runCli(
      ['pay', `${origin}/token`, '--asset', token.address, '--max', '1'],
      { env: { TOLLGATE_PRIVATE_KEY: buyer!.privateKey, TOLLGATE_RPC_URL: devnet.rpcUrl } },
    )
    expect(stderr).not.toContain('tollgate pay:')
    expect(code).toBe(0)
    expect(stdout).toContain('  outcome      paid\n')
    expect(stdout).toContain(`  amount       0.5 TKN on ${devnet.network}\n`)
    expect(await balanceOf(token.address, seller!.address)).toBe(before + 5n * 10n ** 17n)
  })

  test('a token whose decimals cannot be read is refused before anything is signed', async () => {
    const [buyer, seller] = devnet.accounts
    const env = { TOLLGATE_PRIVATE_KEY: buyer!.privateKey }
    const noRpc = await runCli(['pay', `${origin}/cents`, '--asset', cents.address, '--json'], {
      env,
    })
    expect(noRpc.code).toBe(2)
    expect(JSON.parse(noRpc.stdout)).toEqual({
      error: {
        code: 'TOLLGATE_CLI_USAGE',
        message: `The token ${cents.address} is not in the built-in registry: its decimals must be read on-chain.`,
      },
    })
    expect(noRpc.stderr).toContain('Pass --rpc <url> or set TOLLGATE_RPC_URL')

    const notAToken = await runCli(
      ['pay', `${origin}/bogus`, '--asset', seller!.address, '--rpc', devnet.rpcUrl],
      { env },
    )
    expect(notAToken.code).toBe(1)
    expect(notAToken.stdout).toBe('')
    expect(notAToken.stderr).toContain(
      `tollgate pay: Cannot read the token ${seller!.address} on-chain (its decimals and EIP-712 domain).`,
    )
    expect(notAToken.stderr).not.toContain('paying from')

    const unreachable = await runCli(
      ['pay', `${origin}/cents`, '--asset', cents.address, '--rpc', 'http://127.0.0.1:9'],
      { env },
    )
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr).toContain(
      `tollgate pay: Cannot read the token ${cents.address} on-chain (its decimals and EIP-712 domain).`,
    )
  })
})
