import { createServer } from 'node:net'
import { type Address, erc20Abi, getAddress, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { smartWalletAbi } from '../generated/SmartWallet.js'
import { testUsdcAbi } from '../generated/TestUSDC.js'
import { AnvilStartError, DevnetError } from './errors.js'
import { type Devnet, startDevnet } from './startDevnet.js'

const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('startDevnet with defaults', () => {
  let devnet: Devnet
  let startMs: number
  beforeAll(async () => {
    const started = performance.now()
    devnet = await startDevnet()
    startMs = performance.now() - started
  })
  afterAll(() => devnet.stop())

  const balance = (token: Address, owner: Address) =>
    devnet.publicClient.readContract({
      address: token,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [owner],
    })

  test('starts in well under the time a test can spare', () => {
    expect(startMs).toBeLessThan(5_000)
  })

  test('describes the chain', async () => {
    expect(devnet.chainId).toBe(31337)
    expect(devnet.network).toBe('eip155:31337')
    expect(devnet.chain.id).toBe(31337)
    expect(devnet.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(await devnet.publicClient.getChainId()).toBe(31337)
  })

  test('deploys both tokens at fixed addresses with their EIP-712 domains', async () => {
    expect(devnet.usdc).toEqual({
      address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
      name: 'USD Coin',
      version: '2',
      decimals: 6,
      // The evm Asset shape, so `assets: [devnet.usdc]` works as a registry.
      symbol: 'USDC',
      chainId: 31337,
      network: 'eip155:31337',
      eip712: { name: 'USD Coin', version: '2' },
    })
    expect(devnet.usdcAlt).toEqual({
      address: '0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512',
      name: 'USDC',
      version: '2',
      decimals: 6,
      // The evm Asset shape, so `assets: [devnet.usdc]` works as a registry.
      symbol: 'USDC',
      chainId: 31337,
      network: 'eip155:31337',
      eip712: { name: 'USDC', version: '2' },
    })
    for (const token of [devnet.usdc, devnet.usdcAlt]) {
      const read = (functionName: 'name' | 'version' | 'owner') =>
        devnet.publicClient.readContract({ address: token.address, abi: testUsdcAbi, functionName })
      expect(await read('name')).toBe(token.name)
      expect(await read('version')).toBe(token.version)
      expect(await read('owner')).toBe(devnet.deployer.address)
    }
  })

  test('funds four accounts (anvil mnemonic indexes 1..4) with ETH and both tokens', async () => {
    expect(devnet.deployer.address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266')
    expect(devnet.accounts.map((a) => a.address)).toEqual([
      '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
      '0x90F79bf6EB2c4f870365E785982E1f101E93b906',
      '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65',
    ])
    for (const { address, account } of devnet.accounts) {
      expect(account.address).toBe(address)
      expect(await devnet.publicClient.getBalance({ address })).toBe(parseEther('10000'))
      expect(await balance(devnet.usdc.address, address)).toBe(1_000_000_000n)
      expect(await balance(devnet.usdcAlt.address, address)).toBe(1_000_000_000n)
    }
  })

  test('mines each transaction at once and sends from a viem wallet client', async () => {
    const [payer, payee] = devnet.accounts as [
      (typeof devnet.accounts)[0],
      (typeof devnet.accounts)[0],
    ]
    const before = await devnet.publicClient.getBlockNumber()
    const hash = await devnet.walletClient(payer.account).writeContract({
      address: devnet.usdc.address,
      abi: testUsdcAbi,
      functionName: 'transfer',
      args: [payee.address, 5n],
    })
    const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect(receipt.blockNumber).toBe(before + 1n)
  })

  test('mint() adds to a balance on either token', async () => {
    const to = '0x000000000000000000000000000000000000bEEF'
    await devnet.mint(to, 7n)
    await devnet.mint(to, 9n, 'usdcAlt')
    expect(await balance(devnet.usdc.address, to)).toBe(7n)
    expect(await balance(devnet.usdcAlt.address, to)).toBe(9n)
  })

  test('deploySmartWallet() deploys a funded ERC-1271 wallet; concurrent calls do not collide', async () => {
    const [a, b] = devnet.accounts as [(typeof devnet.accounts)[0], (typeof devnet.accounts)[0]]
    const [walletA, walletB] = await Promise.all([
      devnet.deploySmartWallet(a.address),
      devnet.deploySmartWallet(b.address),
    ])
    expect(walletA).not.toBe(walletB)
    for (const [wallet, owner] of [
      [walletA, a.address],
      [walletB, b.address],
    ] as const) {
      expect(
        await devnet.publicClient.readContract({
          address: wallet,
          abi: smartWalletAbi,
          functionName: 'owner',
        }),
      ).toBe(owner)
      expect(await balance(devnet.usdc.address, wallet)).toBe(1_000_000_000n)
      expect(await balance(devnet.usdcAlt.address, wallet)).toBe(1_000_000_000n)
    }
  })

  test('placeUsdcAt() copies code and balances; later mints can target the copy', async () => {
    const [holder] = devnet.accounts as [(typeof devnet.accounts)[0]]
    const original = await balance(devnet.usdcAlt.address, holder.address)
    await devnet.placeUsdcAt(baseSepoliaUsdc, 'usdcAlt')
    const read = (functionName: 'name' | 'owner' | 'totalSupply') =>
      devnet.publicClient.readContract({ address: baseSepoliaUsdc, abi: testUsdcAbi, functionName })
    expect(await read('name')).toBe('USDC')
    expect(await read('owner')).toBe(devnet.deployer.address)
    expect(await read('totalSupply')).toBe(
      await devnet.publicClient.readContract({
        address: devnet.usdcAlt.address,
        abi: testUsdcAbi,
        functionName: 'totalSupply',
      }),
    )
    expect(await balance(baseSepoliaUsdc, holder.address)).toBe(original)
    await devnet.mint(holder.address, 1n, baseSepoliaUsdc)
    expect(await balance(baseSepoliaUsdc, holder.address)).toBe(original + 1n)
    expect(await balance(devnet.usdcAlt.address, holder.address)).toBe(original)
  })

  test('placeUsdcAt() twice leaves the second token, with no slot of the first', async () => {
    const target = '0x00000000000000000000000000000000000c0de5'
    await devnet.mint(devnet.deployer.address, 3n, 'usdcAlt') // a holder only usdcAlt knows
    await devnet.placeUsdcAt(target, 'usdcAlt')
    await devnet.placeUsdcAt(target, 'usdc')
    const name = await devnet.publicClient.readContract({
      address: target,
      abi: testUsdcAbi,
      functionName: 'name',
    })
    expect(name).toBe('USD Coin')
    expect(await balance(target, devnet.deployer.address)).toBe(
      await balance(devnet.usdc.address, devnet.deployer.address),
    )
  })

  test('placeUsdcAt() from an address without code fails with a DevnetError', async () => {
    await expect(
      devnet.placeUsdcAt(baseSepoliaUsdc, '0x0000000000000000000000000000000000000001'),
    ).rejects.toThrow(DevnetError)
  })
})

describe('startDevnet options', () => {
  test('accounts, mint and chainId', async () => {
    const devnet = await startDevnet({ accounts: 1, mint: 5n, chainId: 84532 })
    try {
      expect(devnet.accounts).toHaveLength(1)
      expect(devnet.network).toBe('eip155:84532')
      expect(await devnet.publicClient.getChainId()).toBe(84532)
      const [account] = devnet.accounts as [(typeof devnet.accounts)[0]]
      expect(
        await devnet.publicClient.readContract({
          address: devnet.usdc.address,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [account.address],
        }),
      ).toBe(5n)
    } finally {
      await devnet.stop()
    }
  })

  test('accounts: 0 and mint: 0n still deploy both tokens', async () => {
    const devnet = await startDevnet({ accounts: 0, mint: 0n })
    try {
      expect(devnet.accounts).toEqual([])
      const supply = await devnet.publicClient.readContract({
        address: devnet.usdcAlt.address,
        abi: testUsdcAbi,
        functionName: 'totalSupply',
      })
      expect(supply).toBe(0n)
    } finally {
      await devnet.stop()
    }
  })

  test('blockTime mines on an interval, and the helpers wait for it', async () => {
    const devnet = await startDevnet({ accounts: 1, blockTime: 1 })
    try {
      const first = await devnet.publicClient.getBlockNumber()
      await new Promise((resolve) => setTimeout(resolve, 2_200))
      expect(await devnet.publicClient.getBlockNumber()).toBeGreaterThanOrEqual(first + 2n)
      const to = getAddress('0x000000000000000000000000000000000000f00d')
      await devnet.mint(to, 11n)
      expect(
        await devnet.publicClient.readContract({
          address: devnet.usdc.address,
          abi: erc20Abi,
          functionName: 'balanceOf',
          args: [to],
        }),
      ).toBe(11n)
    } finally {
      await devnet.stop()
    }
  })

  test('a given port is used; several devnets run side by side', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as { port: number }
    await new Promise((resolve) => probe.close(resolve))

    const devnets = await Promise.all([
      startDevnet({ accounts: 1, port }),
      startDevnet({ accounts: 1, chainId: 8453 }),
      startDevnet({ accounts: 1, chainId: 84532 }),
    ])
    try {
      expect(devnets[0].rpcUrl).toBe(`http://127.0.0.1:${port}`)
      expect(new Set(devnets.map((d) => d.rpcUrl)).size).toBe(3)
      expect(await Promise.all(devnets.map((d) => d.publicClient.getChainId()))).toEqual([
        31337, 8453, 84532,
      ])
    } finally {
      await Promise.all(devnets.map((d) => d.stop()))
    }
  })

  test('a taken port fails with AnvilStartError', async () => {
    const devnet = await startDevnet({ accounts: 0 })
    try {
      const port = Number(new URL(devnet.rpcUrl).port)
      await expect(startDevnet({ accounts: 0, port })).rejects.toThrow(AnvilStartError)
    } finally {
      await devnet.stop()
    }
  })

  test('stop() and Symbol.asyncDispose end anvil; stop() is idempotent', async () => {
    const devnet = await startDevnet({ accounts: 0 })
    expect(isRunning(devnet.pid)).toBe(true)
    await devnet[Symbol.asyncDispose]()
    expect(isRunning(devnet.pid)).toBe(false)
    await devnet.stop()
    await expect(devnet.publicClient.getChainId()).rejects.toThrow()
  })

  test('invalid options are refused before anvil starts', async () => {
    await expect(startDevnet({ blockTime: 0.5 })).rejects.toThrow(DevnetError)
    await expect(startDevnet({ accounts: -1 })).rejects.toThrow(DevnetError)
    await expect(startDevnet({ mint: -1n })).rejects.toThrow(DevnetError)
  })
})
