import {
  type Account,
  type Address,
  type Chain,
  createClient,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  type Hash,
  type Hex,
  http,
  type PublicClient,
  type PublicRpcSchema,
  rpcSchema,
  type TestClient,
  type TestRpcSchema,
  type Transport,
  testActions,
  type WalletClient,
  type WalletRpcSchema,
} from 'viem'
import { plainTokenAbi, plainTokenBytecode } from '../generated/PlainToken.js'
import { smartWalletAbi, smartWalletBytecode } from '../generated/SmartWallet.js'
import { testUsdcAbi, testUsdcBytecode } from '../generated/TestUSDC.js'
import { permit2Addresses } from '../permit2/addresses.js'
import { copyContract } from './copyContract.js'
import { type DevnetAccount, getDevAccounts } from './devAccounts.js'
import { DevnetSetupError, InvalidDevnetOptionError } from './errors.js'
import { placePermit2 } from './placePermit2.js'
import { resolveAnvilBinary } from './resolveAnvilBinary.js'
import { spawnAnvil } from './spawnAnvil.js'

export type StartDevnetParameters = {
  /** Generated accounts, each funded with 10 000 ETH and `mint` of every token. @default 4 */
  accounts?: number | undefined
  /** Atomic units (6 decimals) minted to each account on every token. @default 1_000_000_000n */
  mint?: bigint | undefined
  /** Seconds between blocks; `undefined` mines each transaction at once. */
  blockTime?: number | undefined
  /** @default 31337 */
  chainId?: number | undefined
  /** Loopback port. @default a free one */
  port?: number | undefined
  /** Path of an anvil executable. @default the one installed by `@foundry-rs/anvil` */
  anvilBinary?: string | undefined
}

/**
 * A devnet token. It has the shape of an `@tollgate/evm` `Asset`, so it can be passed wherever an
 * asset registry is taken (`assets: [devnet.usdc]`).
 */
export type DevnetToken<name extends string = string> = {
  address: Address
  name: name
  version: '2'
  decimals: 6
  symbol: 'USDC'
  chainId: number
  network: `eip155:${number}`
  eip712: { name: name; version: '2' }
}

/**
 * A devnet ERC-20 without EIP-3009 or EIP-2612: paid through Permit2 only. Its `eip712` names the token, as the x402
 * Permit2 requirements carry it in `extra`; nothing signs under that domain.
 */
export type DevnetPlainToken = {
  address: Address
  name: 'Plain Dollar'
  version: '1'
  decimals: 6
  symbol: 'PLAIN'
  chainId: number
  network: `eip155:${number}`
  eip712: { name: 'Plain Dollar'; version: '1' }
  assetTransferMethod: 'permit2'
}

/**
 * Which devnet token: `'usdc'` ("USD Coin", as on Base), `'usdcAlt'` ("USDC", as on Base Sepolia) or `'plain'`
 * (an ERC-20 without EIP-3009).
 */
export type DevnetTokenRef = 'usdc' | 'usdcAlt' | 'plain'

export type Devnet = {
  rpcUrl: string
  chainId: number
  network: `eip155:${number}`
  chain: Chain
  /** Pid of the anvil process. */
  pid: number
  /** Test USDC with the "USD Coin" EIP-712 domain (Base mainnet style). */
  usdc: DevnetToken<'USD Coin'>
  /** Test USDC with the "USDC" EIP-712 domain (Base Sepolia style). */
  usdcAlt: DevnetToken<'USDC'>
  /** An ERC-20 without EIP-3009 (paid through Permit2). */
  plainToken: DevnetPlainToken
  /** Permit2, the x402 Permit2 proxies and Multicall3, at their canonical addresses. */
  permit2: typeof permit2Addresses
  accounts: DevnetAccount[]
  /** Deployer and owner (sole minter) of both tokens; its transactions go through the devnet's helpers. */
  deployer: DevnetAccount
  publicClient: PublicClient<Transport, Chain>
  /** Anvil cheat codes: `increaseTime`, `setNextBlockTimestamp`, `mine`, `setBalance`, ... */
  testClient: TestClient<'anvil', Transport, Chain>
  walletClient(account: Account | Address): WalletClient<Transport, Chain, Account>
  /** Deploys a `SmartWallet` (ERC-1271) owned by `owner`, funded with `mint` of both tokens. */
  deploySmartWallet(owner: Address): Promise<Address>
  /** Copies a token's code and storage to `address` (e.g. the real USDC address), for code that hardcodes it. */
  placeUsdcAt(address: Address, token?: DevnetTokenRef | Address | undefined): Promise<void>
  /** Mints test USDC (owner call) on a devnet token or on a copy made by `placeUsdcAt`. */
  mint(to: Address, amount: bigint, token?: DevnetTokenRef | Address | undefined): Promise<void>
  /**
   * The one-time `approve(Permit2, amount)` a payer sends before paying a token through Permit2, from a devnet
   * account (or any account anvil has unlocked). @default amount: the largest uint256
   */
  approvePermit2(
    owner: Address,
    token?: DevnetTokenRef | Address | undefined,
    amount?: bigint | undefined,
  ): Promise<void>
  /** Stops anvil. Idempotent. */
  stop(): Promise<void>
  [Symbol.asyncDispose](): Promise<void>
}

export type StartDevnetReturnType = Devnet

// Generous fixed limits: setup transactions are sent before the contracts they call exist, so they cannot be
// estimated. Only gas used is paid.
const deployTokenGas = 3_000_000n
const deployWalletGas = 1_000_000n
const mintGas = 120_000n
const approveGas = 80_000n
const maxUint256 = (1n << 256n) - 1n
const etherBalance = 10_000n

type Call = { to?: Address | undefined; data: Hex; gas: bigint }

/**
 * Starts anvil with two test USDC tokens (the "USD Coin" and the "USDC" EIP-712 domains) deployed and every
 * account funded. Setup runs with mining off and lands in one block, then the chain switches to instant or
 * interval mining. Anvil dies with the Node process, even on SIGKILL.
 *
 * @example
 * import { testUsdcAbi } from '@tollgate/contracts'
 * import { startDevnet } from '@tollgate/contracts/devnet'
 *
 * await using devnet = await startDevnet({ accounts: 2 })
 * const balance = await devnet.publicClient.readContract({
 *   address: devnet.usdc.address,
 *   abi: testUsdcAbi,
 *   functionName: 'balanceOf',
 *   args: [devnet.accounts[0]!.address],
 * })
 */
export async function startDevnet({
  accounts: accountCount = 4,
  mint: mintAmount = 1_000_000_000n,
  blockTime,
  chainId = 31337,
  port,
  anvilBinary,
}: StartDevnetParameters = {}): Promise<Devnet> {
  if (!Number.isInteger(accountCount) || accountCount < 0)
    throw new InvalidDevnetOptionError({ option: 'accounts', expected: 'a non-negative integer' })
  if (blockTime !== undefined && !(Number.isInteger(blockTime) && blockTime > 0))
    throw new InvalidDevnetOptionError({
      option: 'blockTime',
      expected: 'a positive whole number of seconds',
    })
  if (mintAmount < 0n)
    throw new InvalidDevnetOptionError({ option: 'mint', expected: 'zero or more' })

  const anvilPromise = spawnAnvil({
    binary: anvilBinary ?? resolveAnvilBinary(),
    port,
    args: [
      '--chain-id',
      String(chainId),
      '--accounts',
      String(accountCount + 1),
      '--balance',
      String(etherBalance),
      '--no-mining',
    ],
  })
  // Key derivation overlaps anvil's start.
  const [deployer, ...accounts] = getDevAccounts(accountCount + 1) as [
    DevnetAccount,
    ...DevnetAccount[],
  ]
  const anvil = await anvilPromise

  try {
    const { rpcUrl } = anvil
    const chain = defineChain({
      id: chainId,
      name: 'Tollgate devnet',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpcUrl] } },
      testnet: true,
    })
    const transport = http(rpcUrl)
    // Loopback is cheap: poll often so receipts of instant blocks are seen at once.
    const clientOptions = { chain, transport, pollingInterval: 50, cacheTime: 0 } as const
    const publicClient = createPublicClient(clientOptions)
    const testClient = createTestClient({ ...clientOptions, mode: 'anvil' })
    // Setup requests made in the same tick travel in one JSON-RPC batch.
    const setupClient = createClient({
      chain,
      transport: http(rpcUrl, { batch: { batchSize: 1_000 } }),
      rpcSchema: rpcSchema<[...PublicRpcSchema, ...WalletRpcSchema, ...TestRpcSchema<'anvil'>]>(),
    }).extend(testActions({ mode: 'anvil' }))

    const usdc: DevnetToken<'USD Coin'> = {
      address: getContractAddress({ from: deployer.address, nonce: 0n }),
      name: 'USD Coin',
      version: '2',
      decimals: 6,
      symbol: 'USDC',
      chainId,
      network: `eip155:${chainId}`,
      eip712: { name: 'USD Coin', version: '2' },
    }
    const usdcAlt: DevnetToken<'USDC'> = {
      address: getContractAddress({ from: deployer.address, nonce: 1n }),
      name: 'USDC',
      version: '2',
      decimals: 6,
      symbol: 'USDC',
      chainId,
      network: `eip155:${chainId}`,
      eip712: { name: 'USDC', version: '2' },
    }
    const plainToken: DevnetPlainToken = {
      address: getContractAddress({ from: deployer.address, nonce: 2n }),
      name: 'Plain Dollar',
      version: '1',
      decimals: 6,
      symbol: 'PLAIN',
      chainId,
      network: `eip155:${chainId}`,
      eip712: { name: 'Plain Dollar', version: '1' },
      assetTransferMethod: 'permit2',
    }
    const tokenAddress = (token: DevnetTokenRef | Address): Address =>
      token === 'usdc'
        ? usdc.address
        : token === 'usdcAlt'
          ? usdcAlt.address
          : token === 'plain'
            ? plainToken.address
            : token
    const mintCalls = (to: Address, amount: bigint, tokens: Address[]): Call[] =>
      amount === 0n
        ? []
        : tokens.map((token) => ({
            to: token,
            data: encodeFunctionData({
              abi: testUsdcAbi,
              functionName: 'mint',
              args: [to, amount],
            }),
            gas: mintGas,
          }))

    const send = (calls: Call[], nonce: number): Promise<Hash[]> =>
      Promise.all(
        calls.map((call, index) =>
          setupClient.request({
            method: 'eth_sendTransaction',
            params: [
              {
                from: deployer.address,
                to: call.to,
                data: call.data,
                gas: `0x${call.gas.toString(16)}`,
                nonce: `0x${(nonce + index).toString(16)}`,
              },
            ],
          }),
        ),
      )
    const assertSuccess = (receipts: { status: string; transactionHash: Hash }[]) => {
      const failed = receipts.find((receipt) => receipt.status !== 'success')
      if (failed) throw new DevnetSetupError({ transactionHash: failed.transactionHash })
    }

    // Setup: deploy the tokens and fund every account in one block.
    const setupCalls: Call[] = [
      {
        data: encodeDeployData({
          abi: testUsdcAbi,
          bytecode: testUsdcBytecode,
          args: [usdc.name, usdc.version, deployer.address],
        }),
        gas: deployTokenGas,
      },
      {
        data: encodeDeployData({
          abi: testUsdcAbi,
          bytecode: testUsdcBytecode,
          args: [usdcAlt.name, usdcAlt.version, deployer.address],
        }),
        gas: deployTokenGas,
      },
      {
        data: encodeDeployData({
          abi: plainTokenAbi,
          bytecode: plainTokenBytecode,
          args: [plainToken.name, plainToken.symbol, plainToken.decimals, deployer.address],
        }),
        gas: deployTokenGas,
      },
      ...accounts.flatMap((account) =>
        mintCalls(account.address, mintAmount, [usdc.address, usdcAlt.address, plainToken.address]),
      ),
    ]
    const [setupHashes] = await Promise.all([
      send(setupCalls, 0),
      placePermit2(setupClient, { chainId }),
    ])
    // A block holds 30M gas: large account counts need a few blocks.
    for (let attempt = 0; ; attempt++) {
      await setupClient.mine({ blocks: 1 })
      const receipts = await Promise.all(
        setupHashes.map((hash) =>
          setupClient.request({ method: 'eth_getTransactionReceipt', params: [hash] }),
        ),
      )
      if (receipts.every((receipt) => receipt !== null)) {
        assertSuccess(
          receipts.map((receipt) => ({
            status: receipt.status === '0x1' ? 'success' : 'reverted',
            transactionHash: receipt.transactionHash,
          })),
        )
        break
      }
      if (attempt > setupCalls.length) throw new DevnetSetupError({})
    }
    if (blockTime === undefined) await testClient.setAutomine(true)
    else await testClient.setIntervalMining({ interval: blockTime })

    // Deployer transactions run one batch at a time so their nonces never collide.
    let queue: Promise<unknown> = Promise.resolve()
    const exclusive = <result>(task: () => Promise<result>): Promise<result> => {
      const run = queue.then(task)
      queue = run.catch(() => undefined)
      return run
    }
    const sendAndWait = async (calls: Call[]): Promise<void> => {
      const nonce = await publicClient.getTransactionCount({
        address: deployer.address,
        blockTag: 'pending',
      })
      // One by one: with instant mining each is mined on arrival, so nonce order must be arrival order.
      const hashes: Hash[] = []
      for (const [index, call] of calls.entries())
        hashes.push(...(await send([call], nonce + index)))
      assertSuccess(
        await Promise.all(
          hashes.map((hash) =>
            publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 }),
          ),
        ),
      )
    }

    const stop = () => anvil.stop()
    return {
      rpcUrl,
      chainId,
      network: `eip155:${chainId}`,
      chain,
      pid: anvil.pid,
      usdc,
      usdcAlt,
      plainToken,
      permit2: permit2Addresses,
      accounts,
      deployer,
      publicClient,
      testClient,
      walletClient: (account) => createWalletClient({ ...clientOptions, account }),
      deploySmartWallet: (owner) =>
        exclusive(async () => {
          const nonce = await publicClient.getTransactionCount({
            address: deployer.address,
            blockTag: 'pending',
          })
          const address = getContractAddress({ from: deployer.address, nonce: BigInt(nonce) })
          await sendAndWait([
            {
              data: encodeDeployData({
                abi: smartWalletAbi,
                bytecode: smartWalletBytecode,
                args: [owner],
              }),
              gas: deployWalletGas,
            },
            ...mintCalls(address, mintAmount, [usdc.address, usdcAlt.address]),
          ])
          return address
        }),
      placeUsdcAt: (address, token = 'usdc') =>
        exclusive(() => copyContract(setupClient, { from: tokenAddress(token), to: address })),
      mint: (to, amount, token = 'usdc') =>
        exclusive(() => sendAndWait(mintCalls(to, amount, [tokenAddress(token)]))),
      approvePermit2: async (owner, token = 'plain', amount = maxUint256) => {
        const hash = await setupClient.request({
          method: 'eth_sendTransaction',
          params: [
            {
              from: owner,
              to: tokenAddress(token),
              data: encodeFunctionData({
                abi: plainTokenAbi,
                functionName: 'approve',
                args: [permit2Addresses.permit2, amount],
              }),
              gas: `0x${approveGas.toString(16)}`,
            },
          ],
        })
        assertSuccess([await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })])
      },
      stop,
      [Symbol.asyncDispose]: stop,
    }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}
