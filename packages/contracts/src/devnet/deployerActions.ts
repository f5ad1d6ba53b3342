import {
  type Address,
  type Chain,
  encodeDeployData,
  encodeFunctionData,
  getContractAddress,
  type Hash,
  type PublicClient,
  type Transport,
} from 'viem'
import { plainTokenAbi } from '../generated/PlainToken.js'
import { smartWalletAbi, smartWalletBytecode } from '../generated/SmartWallet.js'
import { permit2Addresses } from '../permit2/addresses.js'
import { copyContract } from './copyContract.js'
import { type DevnetTokens, tokenAddressOf } from './devnetTokens.js'
import { assertSuccess, type Call, mintCalls, type SetupClient, sendCalls } from './setupCalls.js'
import type { Devnet } from './startDevnet.js'

const deployWalletGas = 1_000_000n
const approveGas = 80_000n
const maxUint256 = (1n << 256n) - 1n

/** What the actions act through. */
export type DeployerActionsParameters = {
  setupClient: SetupClient
  publicClient: PublicClient<Transport, Chain>
  deployer: Address
  tokens: DevnetTokens
  mintAmount: bigint
}

/**
 * The devnet's helpers that send transactions once it runs: the deployer's (a smart wallet, a
 * mint, a token copy) one batch at a time so their nonces never collide, and a payer's Permit2
 * approval.
 */
export function createDeployerActions(
  parameters: DeployerActionsParameters,
): Pick<Devnet, 'deploySmartWallet' | 'placeUsdcAt' | 'mint' | 'approvePermit2'> {
  const { setupClient, publicClient, deployer, tokens, mintAmount } = parameters
  let queue: Promise<unknown> = Promise.resolve()
  const exclusive = <result>(task: () => Promise<result>): Promise<result> => {
    const run = queue.then(task)
    queue = run.catch(() => undefined)
    return run
  }
  const sendAndWait = (calls: Call[]) => sendInOrder(parameters, calls)
  return {
    deploySmartWallet: (owner) =>
      exclusive(async () => {
        const nonce = await pendingNonce(publicClient, deployer)
        const address = getContractAddress({ from: deployer, nonce: BigInt(nonce) })
        await sendAndWait([
          {
            data: encodeDeployData({
              abi: smartWalletAbi,
              bytecode: smartWalletBytecode,
              args: [owner],
            }),
            gas: deployWalletGas,
          },
          ...mintCalls(address, mintAmount, [tokens.usdc.address, tokens.usdcAlt.address]),
        ])
        return address
      }),
    placeUsdcAt: (address, token = 'usdc') =>
      exclusive(() =>
        copyContract(setupClient, { from: tokenAddressOf(tokens, token), to: address }),
      ),
    mint: (to, amount, token = 'usdc') =>
      exclusive(() => sendAndWait(mintCalls(to, amount, [tokenAddressOf(tokens, token)]))),
    approvePermit2: async (owner, token = 'plain', amount = maxUint256) => {
      const hash = await setupClient.request({
        method: 'eth_sendTransaction',
        params: [
          {
            from: owner,
            to: tokenAddressOf(tokens, token),
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
  }
}

function pendingNonce(publicClient: PublicClient<Transport, Chain>, address: Address) {
  return publicClient.getTransactionCount({ address, blockTag: 'pending' })
}

/**
 * Sends the deployer's `calls` one by one (with instant mining each is mined on arrival, so nonce
 * order must be arrival order) and waits until all have succeeded.
 */
async function sendInOrder(
  { setupClient, publicClient, deployer }: DeployerActionsParameters,
  calls: Call[],
): Promise<void> {
  const nonce = await pendingNonce(publicClient, deployer)
  const hashes: Hash[] = []
  for (const [index, call] of calls.entries())
    hashes.push(...(await sendCalls(setupClient, deployer, [call], nonce + index)))
  assertSuccess(
    await Promise.all(
      hashes.map((hash) => publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })),
    ),
  )
}
