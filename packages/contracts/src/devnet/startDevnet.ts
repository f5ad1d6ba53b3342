import {
  type Account,
  type Address,
  type Chain,
  createClient,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
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
import { permit2Addresses } from '../permit2/addresses.js'
import { createDeployerActions } from './deployerActions.js'
import { type DevnetAccount, getDevAccounts } from './devAccounts.js'
import { devnetTokens } from './devnetTokens.js'
import { InvalidDevnetOptionError } from './errors.js'
import { placePermit2 } from './placePermit2.js'
import { resolveAnvilBinary } from './resolveAnvilBinary.js'
import { mineUntilIncluded, type SetupClient, sendCalls, setupCalls } from './setupCalls.js'
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
  /**
   * Anvil's `--hardfork`. Cancun by default, not anvil's Prague: Prague's block-hash history
   * contract (EIP-2935) gains a storage slot every block, and anvil rebuilds the whole state trie
   * every block, so each block costs more than the last (anvil 1.7.1, one transfer a block: 1.3 ms
   * of CPU at height 200, 7.5 at 3,800; on Cancun 1.0 and 2.2). The contracts are compiled for
   * Cancun. @default 'cancun'
   */
  hardfork?: string | undefined
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

const etherBalance = 10_000n

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
export async function startDevnet(parameters: StartDevnetParameters = {}): Promise<Devnet> {
  const {
    accounts: accountCount = 4,
    mint: mintAmount = 1_000_000_000n,
    blockTime,
    chainId = 31337,
    port,
    anvilBinary,
    hardfork = 'cancun',
  } = parameters
  checkDevnetOptions({ accountCount, blockTime, mintAmount })
  const anvilPromise = spawnAnvil({
    binary: anvilBinary ?? resolveAnvilBinary(),
    port,
    args: [
      ...['--chain-id', String(chainId), '--accounts', String(accountCount + 1)],
      ...['--balance', String(etherBalance), '--no-mining', '--hardfork', hardfork],
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
    const clients = devnetClients(rpcUrl, chainId)
    const { chain, publicClient, testClient, setupClient, clientOptions } = clients
    const tokens = devnetTokens(deployer.address, chainId)
    // Setup: deploy the tokens and fund every account in one block, then start mining.
    const calls = setupCalls(tokens, {
      deployer: deployer.address,
      accounts: accounts.map((a) => a.address),
      amount: mintAmount,
    })
    const [hashes] = await Promise.all([
      sendCalls(setupClient, deployer.address, calls, 0),
      placePermit2(setupClient, { chainId }),
    ])
    await mineUntilIncluded(setupClient, hashes)
    if (blockTime === undefined) await testClient.setAutomine(true)
    else await testClient.setIntervalMining({ interval: blockTime })

    const stop = () => anvil.stop()
    return {
      rpcUrl,
      chainId,
      network: `eip155:${chainId}`,
      chain,
      pid: anvil.pid,
      ...tokens,
      permit2: permit2Addresses,
      accounts,
      deployer,
      publicClient,
      testClient,
      walletClient: (account) => createWalletClient({ ...clientOptions, account }),
      ...createDeployerActions({
        setupClient,
        publicClient,
        deployer: deployer.address,
        tokens,
        mintAmount,
      }),
      stop,
      [Symbol.asyncDispose]: stop,
    }
  } catch (error) {
    await anvil.stop()
    throw error
  }
}

function checkDevnetOptions({
  accountCount,
  blockTime,
  mintAmount,
}: {
  accountCount: number
  blockTime: number | undefined
  mintAmount: bigint
}): void {
  if (!Number.isInteger(accountCount) || accountCount < 0)
    throw new InvalidDevnetOptionError({ option: 'accounts', expected: 'a non-negative integer' })
  if (blockTime !== undefined && !(Number.isInteger(blockTime) && blockTime > 0))
    throw new InvalidDevnetOptionError({
      option: 'blockTime',
      expected: 'a positive whole number of seconds',
    })
  if (mintAmount < 0n)
    throw new InvalidDevnetOptionError({ option: 'mint', expected: 'zero or more' })
}

/** The devnet's chain and clients on `rpcUrl`. */
function devnetClients(rpcUrl: string, chainId: number) {
  const chain = defineChain({
    id: chainId,
    name: 'Tollgate devnet',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
    testnet: true,
  })
  // Loopback is cheap: poll often so receipts of instant blocks are seen at once.
  const clientOptions = {
    chain,
    transport: http(rpcUrl),
    pollingInterval: 50,
    cacheTime: 0,
  } as const
  const publicClient: PublicClient<Transport, Chain> = createPublicClient(clientOptions)
  const testClient: TestClient<'anvil', Transport, Chain> = createTestClient({
    ...clientOptions,
    mode: 'anvil',
  })
  // Setup requests made in the same tick travel in one JSON-RPC batch.
  const setupClient: SetupClient = createClient({
    chain,
    transport: http(rpcUrl, { batch: { batchSize: 1_000 } }),
    rpcSchema: rpcSchema<[...PublicRpcSchema, ...WalletRpcSchema, ...TestRpcSchema<'anvil'>]>(),
  }).extend(testActions({ mode: 'anvil' }))
  return { chain, clientOptions, publicClient, testClient, setupClient }
}
