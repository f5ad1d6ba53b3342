import { useDevnet } from '@tollgate/test'
import {
  type Address,
  type BaseError,
  ContractFunctionRevertedError,
  concat,
  encodeFunctionData,
  erc20Abi,
  keccak256,
  parseEther,
  slice,
  toHex,
} from 'viem'
import { beforeAll, describe, expect, test } from 'vitest'
import type { DevnetAccount } from './devnet/devAccounts.js'
import { smartWalletAbi } from './generated/SmartWallet.js'

const devnet = useDevnet({ accounts: 2 })

let wallet: Address
let owner: DevnetAccount
let other: DevnetAccount
beforeAll(async () => {
  ;[owner, other] = devnet.accounts as [DevnetAccount, DevnetAccount]
  wallet = await devnet.deploySmartWallet(owner.address)
})

const isValidSignature = (hash: `0x${string}`, signature: `0x${string}`) =>
  devnet.publicClient.readContract({
    address: wallet,
    abi: smartWalletAbi,
    functionName: 'isValidSignature',
    args: [hash, signature],
  })

async function revertOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise
  } catch (error) {
    const reverted = (error as BaseError).walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError) return reverted.reason
    throw error
  }
  throw new Error('did not revert')
}

describe('SmartWallet', () => {
  test('owner()', async () => {
    expect(
      await devnet.publicClient.readContract({
        address: wallet,
        abi: smartWalletAbi,
        functionName: 'owner',
      }),
    ).toBe(owner.address)
  })

  test("isValidSignature: 0x1626ba7e for the owner's raw-hash signature, else 0xffffffff", async () => {
    const hash = keccak256(toHex('tollgate'))
    const signature = await owner.account.sign({ hash })
    expect(await isValidSignature(hash, signature)).toBe('0x1626ba7e')
    // Another signer, another hash, an EIP-191 prefixed signature, a short or empty signature.
    expect(await isValidSignature(hash, await other.account.sign({ hash }))).toBe('0xffffffff')
    expect(await isValidSignature(keccak256(toHex('other')), signature)).toBe('0xffffffff')
    expect(
      await isValidSignature(hash, await owner.account.signMessage({ message: { raw: hash } })),
    ).toBe('0xffffffff')
    expect(await isValidSignature(hash, slice(signature, 0, 64))).toBe('0xffffffff')
    expect(await isValidSignature(hash, concat([signature, '0x00']))).toBe('0xffffffff')
    expect(await isValidSignature(hash, '0x')).toBe('0xffffffff')
  })

  test('execute: the owner moves tokens and ETH out of the wallet', async () => {
    const to = '0x000000000000000000000000000000000000c0Fe'
    const hash = await devnet.walletClient(owner.account).writeContract({
      address: wallet,
      abi: smartWalletAbi,
      functionName: 'execute',
      args: [
        devnet.usdc.address,
        0n,
        encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, 123n] }),
      ],
    })
    expect((await devnet.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success')
    const balanceOf = (address: Address) =>
      devnet.publicClient.readContract({
        address: devnet.usdc.address,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [address],
      })
    expect(await balanceOf(to)).toBe(123n)
    expect(await balanceOf(wallet)).toBe(1_000_000_000n - 123n)

    // ETH in through receive(), out through execute.
    const deposit = await devnet.walletClient(other.account).sendTransaction({
      to: wallet,
      value: parseEther('1'),
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash: deposit })
    const withdraw = await devnet.walletClient(owner.account).writeContract({
      address: wallet,
      abi: smartWalletAbi,
      functionName: 'execute',
      args: [to, parseEther('0.25'), '0x'],
    })
    await devnet.publicClient.waitForTransactionReceipt({ hash: withdraw })
    expect(await devnet.publicClient.getBalance({ address: to })).toBe(parseEther('0.25'))
    expect(await devnet.publicClient.getBalance({ address: wallet })).toBe(parseEther('0.75'))
  })

  test('execute: only the owner, and the callee revert comes back unchanged', async () => {
    const transfer = (amount: bigint) =>
      encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [other.address, amount] })
    expect(
      await revertOf(
        devnet.publicClient.simulateContract({
          account: other.address,
          address: wallet,
          abi: smartWalletAbi,
          functionName: 'execute',
          args: [devnet.usdc.address, 0n, transfer(1n)],
        }),
      ),
    ).toBe('SmartWallet: caller is not the owner')
    expect(
      await revertOf(
        devnet.publicClient.simulateContract({
          account: owner.address,
          address: wallet,
          abi: smartWalletAbi,
          functionName: 'execute',
          args: [devnet.usdc.address, 0n, transfer(10n ** 18n)],
        }),
      ),
    ).toBe('ERC20: transfer amount exceeds balance')
  })
})
