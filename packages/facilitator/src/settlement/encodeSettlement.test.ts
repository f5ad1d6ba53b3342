import { batchSettlerAbi as artifactAbi, batchSettlerBytecode } from '@tollgate/contracts'
import { signAuthorization } from '@tollgate/evm'
import { useDevnet } from '@tollgate/test'
import {
  type Address,
  decodeEventLog,
  type Hex,
  parseEventLogs,
  toEventSelector,
  toFunctionSelector,
} from 'viem'
import { describe, expect, test } from 'vitest'
import { batchSettlerAbi } from './batchSettlerAbi.js'
import { encodeSettlement, type SettlementItem } from './encodeSettlement.js'

const devnet = useDevnet({ accounts: 6 })

const erc20 = [
  {
    type: 'function',
    name: 'balanceOf',
    stateMutability: 'view',
    inputs: [{ name: 'a', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'event',
    name: 'AuthorizationUsed',
    inputs: [
      { name: 'authorizer', type: 'address', indexed: true },
      { name: 'nonce', type: 'bytes32', indexed: true },
    ],
  },
] as const

async function deployBatchSettler(): Promise<Address> {
  const wallet = devnet.walletClient(devnet.deployer.account)
  const hash = await wallet.deployContract({
    abi: artifactAbi,
    bytecode: batchSettlerBytecode,
  })
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash })
  return receipt.contractAddress!
}

async function sign(
  payerIndex: number,
  payee: Address,
  amount: bigint,
  options: { validBefore?: bigint } = {},
): Promise<SettlementItem> {
  const payer = devnet.accounts[payerIndex]!
  const now = Math.floor(Date.now() / 1000)
  const payload = await signAuthorization(payer.account, {
    requirements: {
      scheme: 'exact',
      network: devnet.network,
      amount: amount.toString(),
      asset: devnet.usdc.address,
      payTo: payee,
      maxTimeoutSeconds: options.validBefore === undefined ? 300 : 1,
      extra: { name: devnet.usdc.name, version: devnet.usdc.version },
    },
    now,
  })
  const a = payload.authorization
  return {
    asset: devnet.usdc.address,
    payer: a.from as Address,
    payee: a.to as Address,
    value: BigInt(a.value),
    validAfter: BigInt(a.validAfter),
    validBefore: options.validBefore ?? BigInt(a.validBefore),
    nonce: a.nonce as Hex,
    signature: payload.signature as Hex,
  }
}

async function send(tx: { to: Address; data: Hex; gas: bigint }) {
  const wallet = devnet.walletClient(devnet.accounts[5]!.account)
  const hash = await wallet.sendTransaction({ to: tx.to, data: tx.data, gas: tx.gas })
  return devnet.publicClient.waitForTransactionReceipt({ hash })
}

async function balanceOf(address: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20,
    functionName: 'balanceOf',
    args: [address],
  })
}

describe('BatchSettler', () => {
  test('the local ABI matches the compiled artifact', () => {
    const selectors = (abi: readonly { type: string }[]) =>
      abi
        .map((item) =>
          item.type === 'function'
            ? toFunctionSelector(item as Parameters<typeof toFunctionSelector>[0])
            : item.type === 'event'
              ? toEventSelector(item as Parameters<typeof toEventSelector>[0])
              : '',
        )
        .filter(Boolean)
        .sort()
    expect(selectors(batchSettlerAbi)).toEqual(selectors(artifactAbi))
  })

  test('settles the good items of a batch and reports each bad one', async () => {
    const settler = await deployBatchSettler()
    const payee = '0x000000000000000000000000000000000000bEEF' as Address
    const good = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sign(i % 4, payee, 1_000n + BigInt(i))),
    )
    const expired = await sign(0, payee, 5n, { validBefore: 1n })
    const forged = { ...(await sign(1, payee, 7n)), value: 8n }
    const items = [good[0]!, expired, ...good.slice(1, 3), forged, ...good.slice(3)]
    const before = await balanceOf(payee)
    const receipt = await send(encodeSettlement({ items, batchSettler: settler }))
    expect(receipt.status).toBe('success')
    expect((await balanceOf(payee)) - before).toBe(good.reduce((n, item) => n + item.value, 0n))

    const used = parseEventLogs({ abi: erc20, logs: receipt.logs, eventName: 'AuthorizationUsed' })
    expect(used.map((log) => log.args.nonce).sort()).toEqual(good.map((g) => g.nonce).sort())
    const failed = parseEventLogs({
      abi: batchSettlerAbi,
      logs: receipt.logs,
      eventName: 'AuthorizationFailed',
    })
    expect(failed.map((log) => log.args.nonce)).toEqual([expired.nonce, forged.nonce])
    const summary = receipt.logs
      .filter((log) => log.address.toLowerCase() === settler.toLowerCase())
      .map((log) => {
        try {
          return decodeEventLog({ abi: batchSettlerAbi, ...log })
        } catch {
          return undefined
        }
      })
      .find((event) => event?.eventName === 'BatchSettled')
    expect(summary?.args).toEqual({ settled: 6n, failed: 2n })

    // Settling the same batch again moves nothing: every nonce is used.
    const again = await send(encodeSettlement({ items: good, batchSettler: settler }))
    expect(again.status).toBe('success')
    expect((await balanceOf(payee)) - before).toBe(good.reduce((n, item) => n + item.value, 0n))
  })

  test('a batch of 20 costs well under the gas of 20 single settlements', async () => {
    const settler = await deployBatchSettler()
    const payee = '0x000000000000000000000000000000000000cafe' as Address
    // Warm the payee's balance slot, as on a live merchant.
    const warm = await sign(0, payee, 1n)
    await send(encodeSettlement({ items: [warm] }))

    let singleGas = 0n
    for (let i = 0; i < 4; i++) {
      const receipt = await send(encodeSettlement({ items: [await sign(i % 4, payee, 10n)] }))
      expect(receipt.status).toBe('success')
      singleGas += receipt.gasUsed
    }
    const perSingle = singleGas / 4n
    const batch = await Promise.all(Array.from({ length: 20 }, (_, i) => sign(i % 4, payee, 10n)))
    const receipt = await send(encodeSettlement({ items: batch, batchSettler: settler }))
    expect(receipt.status).toBe('success')
    const perBatched = receipt.gasUsed / 20n
    console.log(`gas per payment: single ${perSingle}, batched (20) ${perBatched}`)
    expect(Number(perBatched) / Number(perSingle)).toBeLessThan(0.7)
  })
})
