import {
  type Address,
  type Chain,
  type Client,
  encodeDeployData,
  encodeFunctionData,
  type Hash,
  type Hex,
  type PublicRpcSchema,
  type TestActions,
  type TestRpcSchema,
  type Transport,
  type WalletRpcSchema,
} from 'viem'
import { plainTokenAbi, plainTokenBytecode } from '../generated/PlainToken.js'
import { testUsdcAbi, testUsdcBytecode } from '../generated/TestUSDC.js'
import type { DevnetTokens } from './devnetTokens.js'
import { DevnetSetupError } from './errors.js'

/** The client setup goes through: public, wallet and anvil methods, requests of a tick batched. */
export type SetupClient = Client<
  Transport,
  Chain,
  undefined,
  [...PublicRpcSchema, ...WalletRpcSchema, ...TestRpcSchema<'anvil'>]
> &
  TestActions

/** A transaction of the deployer's (a deployment when `to` is absent). */
export type Call = { to?: Address | undefined; data: Hex; gas: bigint }

// Generous fixed limits: setup transactions are sent before the contracts they call exist, so they
// cannot be estimated. Only gas used is paid.
const deployTokenGas = 3_000_000n
const mintGas = 120_000n

/** Deploys the three tokens, then mints `amount` of each to every account. */
export function setupCalls(
  tokens: DevnetTokens,
  {
    deployer,
    accounts,
    amount,
  }: { deployer: Address; accounts: readonly Address[]; amount: bigint },
): Call[] {
  const { usdc, usdcAlt, plainToken } = tokens
  const deployUsdc = (token: typeof usdc | typeof usdcAlt): Call => ({
    data: encodeDeployData({
      abi: testUsdcAbi,
      bytecode: testUsdcBytecode,
      args: [token.name, token.version, deployer],
    }),
    gas: deployTokenGas,
  })
  return [
    deployUsdc(usdc),
    deployUsdc(usdcAlt),
    {
      data: encodeDeployData({
        abi: plainTokenAbi,
        bytecode: plainTokenBytecode,
        args: [plainToken.name, plainToken.symbol, plainToken.decimals, deployer],
      }),
      gas: deployTokenGas,
    },
    ...accounts.flatMap((account) =>
      mintCalls(account, amount, [usdc.address, usdcAlt.address, plainToken.address]),
    ),
  ]
}

/** The owner's `mint(to, amount)` on each of `tokens` (none for zero). */
export function mintCalls(to: Address, amount: bigint, tokens: readonly Address[]): Call[] {
  if (amount === 0n) return []
  return tokens.map((token) => ({
    to: token,
    data: encodeFunctionData({ abi: testUsdcAbi, functionName: 'mint', args: [to, amount] }),
    gas: mintGas,
  }))
}

/** Sends `calls` from `from` (an account anvil unlocked) at consecutive nonces from `nonce`. */
export function sendCalls(
  client: SetupClient,
  from: Address,
  calls: readonly Call[],
  nonce: number,
): Promise<Hash[]> {
  return Promise.all(
    calls.map((call, index) =>
      client.request({
        method: 'eth_sendTransaction',
        params: [
          {
            from,
            to: call.to,
            data: call.data,
            gas: `0x${call.gas.toString(16)}`,
            nonce: `0x${(nonce + index).toString(16)}`,
          },
        ],
      }),
    ),
  )
}

/** Throws `DevnetSetupError` naming the first receipt that did not succeed. */
export function assertSuccess(
  receipts: readonly { status: string; transactionHash: Hash }[],
): void {
  const failed = receipts.find((receipt) => receipt.status !== 'success')
  if (failed) throw new DevnetSetupError({ transactionHash: failed.transactionHash })
}

/**
 * Mines blocks (mining is off during setup) until every one of `hashes` has a receipt, and checks
 * they all succeeded. A block holds 30M gas: large account counts need a few blocks.
 */
export async function mineUntilIncluded(
  client: SetupClient,
  hashes: readonly Hash[],
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await client.mine({ blocks: 1 })
    const receipts = await Promise.all(
      hashes.map((hash) => client.request({ method: 'eth_getTransactionReceipt', params: [hash] })),
    )
    if (receipts.every((receipt) => receipt !== null)) {
      assertSuccess(
        receipts.map((receipt) => ({
          status: receipt.status === '0x1' ? 'success' : 'reverted',
          transactionHash: receipt.transactionHash,
        })),
      )
      return
    }
    if (attempt > hashes.length) throw new DevnetSetupError({})
  }
}
