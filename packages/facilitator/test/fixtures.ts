// Helpers shared by the facilitator's chain tests: devnet tokens as an asset registry, payments
// signed by devnet accounts, balances, the batch settler.

import { batchSettlerAbi, batchSettlerBytecode } from '@tollgate/contracts'
import type { Devnet } from '@tollgate/contracts/devnet'
import type { PaymentPayload, PaymentRequirements } from '@tollgate/core'
import { type Asset, createPaymentPayload, eip3009Abi } from '@tollgate/evm'
import type { FacilitatorChainConfig } from '@tollgate/facilitator'
import {
  type Account,
  type Address,
  erc20Abi,
  type Hex,
  type LocalAccount,
  parseSignature,
} from 'viem'

/** The devnet's two test tokens as an asset registry. */
export function devnetAssets(devnet: Devnet): Asset[] {
  return [devnet.usdc, devnet.usdcAlt]
}

/** A v2 exact requirement on the devnet's "USD Coin" token. */
export function requirementsFor(
  devnet: Devnet,
  {
    payTo,
    amount,
    maxTimeoutSeconds = 300,
  }: { payTo: Address; amount: bigint; maxTimeoutSeconds?: number },
): PaymentRequirements {
  return {
    scheme: 'exact',
    network: devnet.network,
    amount: amount.toString(),
    asset: devnet.usdc.address,
    payTo,
    maxTimeoutSeconds,
    extra: { name: devnet.usdc.name, version: devnet.usdc.version },
  }
}

/** A signed v2 payment of `requirements` by `account`. */
export async function pay(
  account: Account,
  requirements: PaymentRequirements,
  options: { now?: (() => number) | undefined; paymentId?: string } = {},
): Promise<PaymentPayload> {
  return createPaymentPayload(account, {
    requirements,
    resource: { url: 'http://127.0.0.1/resource' },
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.paymentId
      ? { extensions: { 'payment-identifier': { info: { id: options.paymentId } } } }
      : {}),
  })
}

export async function balanceOf(devnet: Devnet, address: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })
}

/** Moves test USDC out of an account (to make its balance low). */
export async function transferOut(devnet: Devnet, account: Account, to: Address, value: bigint) {
  const hash = await devnet.walletClient(account).writeContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'transfer',
    args: [to, value],
  })
  await devnet.publicClient.waitForTransactionReceipt({ hash })
}

export async function deployBatchSettler(devnet: Devnet): Promise<Address> {
  const hash = await devnet.walletClient(devnet.deployer.account).deployContract({
    abi: batchSettlerAbi,
    bytecode: batchSettlerBytecode,
  })
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash })
  if (!receipt.contractAddress) throw new Error('BatchSettler did not deploy')
  return receipt.contractAddress
}

/** The devnet as a facilitator's one chain: its RPC, its tokens, a new BatchSettler, 100 ms polling. */
export async function devnetChain(devnet: Devnet): Promise<FacilitatorChainConfig> {
  return {
    chainId: devnet.chainId,
    rpcUrls: [devnet.rpcUrl],
    assets: devnetAssets(devnet),
    batchSettler: await deployBatchSettler(devnet),
    pollingIntervalMs: 100,
  }
}

/** A fresh random address (a payee nobody else pays). */
export function randomAddress(): Address {
  const bytes = crypto.getRandomValues(new Uint8Array(20))
  return `0x${Buffer.from(bytes).toString('hex')}` as Address
}

/** Waits until `fn` returns true (polling), or throws after `timeoutMs`. */
export async function until(
  fn: () => boolean | Promise<boolean>,
  { timeoutMs = 20_000, intervalMs = 100, message = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${message}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Reads `authorizationState(payer, nonce)` of the devnet's "USD Coin" token. */
export async function isAuthorizationUsed(
  devnet: Devnet,
  payer: Address,
  nonce: `0x${string}`,
): Promise<boolean> {
  return devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: [
      {
        type: 'function',
        name: 'authorizationState',
        stateMutability: 'view',
        inputs: [
          { name: 'authorizer', type: 'address' },
          { name: 'nonce', type: 'bytes32' },
        ],
        outputs: [{ name: '', type: 'bool' }],
      },
    ] as const,
    functionName: 'authorizationState',
    args: [payer, nonce],
  })
}

/** The batch settler's `AuthorizationFailed` events in a block range (a second submission shows up here). */
export async function failedItems(devnet: Devnet, batchSettler: Address, fromBlock: bigint) {
  return devnet.publicClient.getContractEvents({
    address: batchSettler,
    abi: batchSettlerAbi,
    eventName: 'AuthorizationFailed',
    fromBlock,
    toBlock: 'latest',
  })
}

/**
 * Sends the payer's `cancelAuthorization` of `nonce` on the devnet's "USD Coin" token (not waiting
 * for it: with mining off it waits in the mempool), with a tip that puts it ahead of others.
 */
export async function sendCancelAuthorization(
  devnet: Devnet,
  payer: LocalAccount,
  nonce: Hex,
  { maxPriorityFeePerGas = 50_000_000_000n }: { maxPriorityFeePerGas?: bigint } = {},
): Promise<Hex> {
  const signature = await payer.signTypedData!({
    domain: {
      name: devnet.usdc.name,
      version: devnet.usdc.version,
      chainId: devnet.chainId,
      verifyingContract: devnet.usdc.address,
    },
    types: {
      CancelAuthorization: [
        { name: 'authorizer', type: 'address' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    primaryType: 'CancelAuthorization',
    message: { authorizer: payer.address, nonce },
  })
  const { v, r, s } = parseSignature(signature)
  return devnet.walletClient(payer).writeContract({
    address: devnet.usdc.address,
    abi: eip3009Abi,
    functionName: 'cancelAuthorization',
    args: [payer.address, nonce, Number(v), r, s],
    gas: 100_000n,
    maxFeePerGas: maxPriorityFeePerGas + 100_000_000_000n,
    maxPriorityFeePerGas,
  })
}

/** Transactions waiting in the devnet's mempool. */
export async function mempoolSize(devnet: Devnet): Promise<number> {
  const content = await devnet.testClient.getTxpoolContent()
  return Object.values(content.pending).flatMap((byNonce) => Object.values(byNonce)).length
}
