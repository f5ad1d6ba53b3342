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
import { InvalidSettlementBatchError } from '../errors.js'
import { batchSettlerAbi } from './batchSettlerAbi.js'
import { encodePackedBatch, encodeSettlement, type SettlementItem } from './encodeSettlement.js'

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
    now: () => now * 1000,
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

const settleTuple =
  '(address,address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)[]'

describe('encodePackedBatch', () => {
  test('lays out a batch: token, payee table, 142-byte items', async () => {
    const a = '0x00000000000000000000000000000000000000a1' as Address
    const b = '0x00000000000000000000000000000000000000b2' as Address
    const items = [await sign(0, a, 3n), await sign(1, b, 4n), await sign(2, a, 5n)]
    const data = encodePackedBatch(items)!
    const bytes = (data.length - 2) / 2
    expect(bytes).toBe(20 + 1 + 2 * 20 + 3 * 142)
    expect(data.slice(2, 42)).toBe(devnet.usdc.address.slice(2).toLowerCase())
    expect(data.slice(42, 44)).toBe('02')
    const item = (i: number) => data.slice(2 + 2 * (61 + 142 * i), 2 + 2 * (61 + 142 * (i + 1)))
    expect(item(2).slice(0, 40)).toBe(items[2]!.payer.slice(2).toLowerCase())
    expect(item(1).slice(40, 42)).toBe('01')
    expect(item(2).slice(40, 42)).toBe('00')
    expect(BigInt(`0x${item(2).slice(42, 66)}`)).toBe(5n)
    expect(`0x${item(0).slice(90, 154)}`).toBe(items[0]!.nonce.toLowerCase())
    expect(item(0).slice(-2)).toBe(items[0]!.signature.slice(-2))
  })

  test('gives up on what does not fit: a value over 2^96 - 1, a time over 2^48 - 1, two tokens', async () => {
    const item = await sign(0, '0x00000000000000000000000000000000000000a1', 3n)
    expect(encodePackedBatch([{ ...item, value: 1n << 96n }])).toBeUndefined()
    expect(encodePackedBatch([{ ...item, validBefore: (1n << 256n) - 1n }])).toBeUndefined()
    expect(
      encodePackedBatch([item, { ...item, asset: '0x00000000000000000000000000000000000000c3' }]),
    ).toBeUndefined()
    expect(encodePackedBatch([{ ...item, value: (1n << 96n) - 1n }])).toBeDefined()
  })

  test('a payee index out of the table reverts the whole batch', async () => {
    const settler = await deployBatchSettler()
    const item = await sign(3, '0x00000000000000000000000000000000000000a1', 3n)
    const data = encodePackedBatch([item])!
    // Item 0's payee index (byte 20 of the item, after a 41-byte header) set to 1 of a 1-entry table.
    const at = 2 + 2 * (41 + 20)
    const bad = `${data.slice(0, at)}01${data.slice(at + 2)}` as Hex
    await expect(
      devnet.publicClient.simulateContract({
        address: settler,
        abi: batchSettlerAbi,
        functionName: 'settlePacked',
        args: [bad],
        account: devnet.accounts[5]!.account,
      }),
    ).rejects.toThrow(/MalformedPackedBatch|reverted/)
  })
})

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

  test.each([
    ['settlePacked', true],
    ['settle (ABI)', false],
  ])('%s settles the good items of a batch and reports each bad one', async (_, packed) => {
    const settler = await deployBatchSettler()
    const payee = '0x000000000000000000000000000000000000bEEF' as Address
    const good = await Promise.all(
      Array.from({ length: 6 }, (_, i) => sign(i % 4, payee, 1_000n + BigInt(i))),
    )
    const expired = await sign(0, payee, 5n, { validBefore: 1n })
    const forged = { ...(await sign(1, payee, 7n)), value: 8n }
    const items = [good[0]!, expired, ...good.slice(1, 3), forged, ...good.slice(3)]
    const before = await balanceOf(payee)
    const call = encodeSettlement({ items, batchSettler: settler, packed })
    expect(call.data.slice(0, 10)).toBe(
      toFunctionSelector(
        packed ? 'settlePacked(bytes)' : 'settle(tuple[])'.replace('tuple[]', settleTuple),
      ),
    )
    const receipt = await send(call)
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

describe('encodeSettlement refuses what no transaction can carry', () => {
  test('no items, or a batch without a batch settler: InvalidSettlementBatchError', async () => {
    const payee = '0x000000000000000000000000000000000000beef' as Address
    const items = [await sign(0, payee, 1n), await sign(1, payee, 1n)]
    expect(() => encodeSettlement({ items: [] })).toThrow(InvalidSettlementBatchError)
    expect(() => encodeSettlement({ items })).toThrowError(
      expect.objectContaining({
        name: 'InvalidSettlementBatchError',
        reason: 'a batch needs a batch settler',
        size: 2,
      }),
    )
  })
})
