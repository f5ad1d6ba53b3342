import { smartWalletAbi, smartWalletBytecode, testUsdcAbi } from '@tollgate/contracts'
import type { ExactEvmPayload, PaymentRequirements } from '@tollgate/core'
import { reasons } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import {
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  encodeDeployData,
  getContractAddress,
  type Hex,
  hashTypedData,
  type LocalAccount,
  serializeErc6492Signature,
} from 'viem'
import { toAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import { readAuthorizationState } from './readAuthorizationState.js'
import { getSettlementErrorReason, settleAuthorization } from './settleAuthorization.js'
import { signAuthorization } from './signAuthorization.js'

const devnet = useDevnet({ accounts: 4 })
const create2Factory = '0x4e59b44847b379578588920cA78FbF26c0B4956C'

type Token = 'usdc' | 'usdcAlt'

function requirementsFor(token: Token, payTo: Address, amount = '12345'): PaymentRequirements {
  const { address, name, version } = devnet[token]
  return {
    scheme: 'exact',
    network: devnet.network,
    amount,
    asset: address,
    payTo,
    maxTimeoutSeconds: 300,
    extra: { name, version },
  }
}

function walletAccount(address: Address, owner: LocalAccount): LocalAccount {
  return toAccount({
    address,
    signMessage: () => Promise.reject(new Error('not used')),
    signTransaction: () => Promise.reject(new Error('not used')),
    signTypedData: (typedData) => owner.sign!({ hash: hashTypedData(typedData) }),
  })
}

const balanceOf = (token: Token, address: Address) =>
  devnet.publicClient.readContract({
    address: devnet[token].address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })

async function balances(token: Token, ...addresses: Address[]) {
  return Promise.all(addresses.map((address) => balanceOf(token, address)))
}

const settler = () => devnet.walletClient(devnet.deployer.account)

describe.each(['usdc', 'usdcAlt'] as const)('%s', (token) => {
  test.each(['EOA', 'ERC-1271 wallet'] as const)(
    '%s: settles exactly the amount once; settling again fails and moves nothing',
    async (kind) => {
      const [owner, payee] = devnet.accounts
      const from = kind === 'EOA' ? owner!.address : await devnet.deploySmartWallet(owner!.address)
      const signer = kind === 'EOA' ? owner!.account : walletAccount(from, owner!.account)
      const requirements = requirementsFor(token, payee!.address)
      const payload = await signAuthorization(signer, { requirements })
      const asset = devnet[token].address
      const nonce = payload.authorization.nonce as Hex

      expect(
        await readAuthorizationState(devnet.publicClient, { asset, authorizer: from, nonce }),
      ).toBe(false)
      const before = await balances(token, from, payee!.address)
      const result = await settleAuthorization(settler(), {
        payload,
        requirements,
        publicClient: devnet.publicClient,
      })
      expect(result).toEqual({
        success: true,
        transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
        network: devnet.network,
        payer: from,
      })
      const receipt = await devnet.publicClient.getTransactionReceipt({
        hash: result.transaction as Hex,
      })
      expect(receipt.status).toBe('success')
      const after = await balances(token, from, payee!.address)
      expect(after).toEqual([before[0]! - 12_345n, before[1]! + 12_345n])
      expect(
        await readAuthorizationState(devnet.publicClient, { asset, authorizer: from, nonce }),
      ).toBe(true)

      // Again, re-verifying first (default): answered without a transaction.
      const again = await settleAuthorization(settler(), {
        payload,
        requirements,
        publicClient: devnet.publicClient,
      })
      expect(again).toEqual({
        success: false,
        errorReason: reasons.invalidExactEvmNonceAlreadyUsed,
        transaction: '',
        network: devnet.network,
        payer: from,
      })
      // Again, without re-verification: the token's revert is mapped to the same reason.
      const blind = await settleAuthorization(settler(), {
        payload,
        requirements,
        publicClient: devnet.publicClient,
        verify: false,
      })
      expect(blind).toMatchObject({
        success: false,
        errorReason: reasons.invalidExactEvmNonceAlreadyUsed,
        transaction: '',
      })
      expect(blind.errorMessage).toMatch(/authorization is used or canceled/)
      expect(await balances(token, from, payee!.address)).toEqual(after)
    },
  )
})

test('the 65-byte signature goes through the (v, r, s) overload', async () => {
  const [payer, payee] = devnet.accounts
  const requirements = requirementsFor('usdc', payee!.address)
  const payload = await signAuthorization(payer!.account, { requirements })
  const result = await settleAuthorization(settler(), {
    payload,
    requirements,
    publicClient: devnet.publicClient,
  })
  const tx = await devnet.publicClient.getTransaction({ hash: result.transaction as Hex })
  // transferWithAuthorization(address,address,uint256,uint256,uint256,bytes32,uint8,bytes32,bytes32)
  expect(tx.input.slice(0, 10)).toBe('0xe3ee160e')
})

test('an invalid payment is not sent: the verification reason, no transaction', async () => {
  const [payer, payee, other] = devnet.accounts
  const requirements = requirementsFor('usdc', payee!.address)
  const payload = await signAuthorization(payer!.account, { requirements })
  const nonceBefore = await devnet.publicClient.getTransactionCount({
    address: devnet.deployer.address,
  })
  const result = await settleAuthorization(settler(), {
    payload,
    requirements: { ...requirements, payTo: other!.address },
    publicClient: devnet.publicClient,
  })
  expect(result).toEqual({
    success: false,
    errorReason: reasons.invalidExactEvmRecipientMismatch,
    transaction: '',
    network: devnet.network,
    payer: payer!.address,
  })
  expect(await devnet.publicClient.getTransactionCount({ address: devnet.deployer.address })).toBe(
    nonceBefore,
  )
})

test('wait: false answers once broadcast', async () => {
  const [payer, payee] = devnet.accounts
  const requirements = requirementsFor('usdcAlt', payee!.address)
  const payload = await signAuthorization(payer!.account, { requirements })
  const result = await settleAuthorization(settler(), {
    payload,
    requirements,
    publicClient: devnet.publicClient,
    wait: false,
  })
  expect(result.success).toBe(true)
  const receipt = await devnet.publicClient.waitForTransactionReceipt({
    hash: result.transaction as Hex,
  })
  expect(receipt.status).toBe('success')
})

test('a receipt that does not come in time: settlement_pending with the hash; it lands later', async () => {
  const [payer, payee] = devnet.accounts
  const requirements = requirementsFor('usdc', payee!.address)
  const payload = await signAuthorization(payer!.account, { requirements })
  await devnet.testClient.setAutomine(false)
  try {
    const result = await settleAuthorization(settler(), {
      payload,
      requirements,
      publicClient: devnet.publicClient,
      receiptTimeoutMs: 300,
    })
    expect(result).toMatchObject({
      success: false,
      errorReason: reasons.settlementPending,
      transaction: expect.stringMatching(/^0x[0-9a-f]{64}$/),
      network: devnet.network,
    })
    await devnet.testClient.mine({ blocks: 1 })
    const receipt = await devnet.publicClient.waitForTransactionReceipt({
      hash: result.transaction as Hex,
    })
    expect(receipt.status).toBe('success')
  } finally {
    await devnet.testClient.setAutomine(true)
  }
})

describe('ERC-6492', () => {
  test('an undeployed wallet is deployed through an allowed factory, then settled', async () => {
    const [owner, payee] = devnet.accounts
    const salt = `0x${'42'.repeat(32)}` as const
    const initcode = encodeDeployData({
      abi: smartWalletAbi,
      bytecode: smartWalletBytecode,
      args: [owner!.address],
    })
    const wallet = getContractAddress({
      opcode: 'CREATE2',
      from: create2Factory,
      salt,
      bytecode: initcode,
    })
    await devnet.mint(wallet, 50_000n, 'usdcAlt')
    const requirements = requirementsFor('usdcAlt', payee!.address)
    const inner = await signAuthorization(walletAccount(wallet, owner!.account), { requirements })
    const payload: ExactEvmPayload = {
      ...inner,
      signature: serializeErc6492Signature({
        address: create2Factory,
        data: `${salt}${initcode.slice(2)}`,
        signature: inner.signature as Hex,
      }),
    }

    const refused = await settleAuthorization(settler(), {
      payload,
      requirements,
      publicClient: devnet.publicClient,
    })
    expect(refused).toMatchObject({ success: false, errorReason: reasons.eip6492FactoryNotAllowed })
    expect(await devnet.publicClient.getCode({ address: wallet })).toBeUndefined()

    const before = await balances('usdcAlt', wallet, payee!.address)
    const result = await settleAuthorization(settler(), {
      payload,
      requirements,
      publicClient: devnet.publicClient,
      erc6492Factories: [create2Factory],
    })
    expect(result).toMatchObject({ success: true, payer: wallet })
    expect(await devnet.publicClient.getCode({ address: wallet })).toMatch(/^0x[0-9a-f]+$/)
    expect(await balances('usdcAlt', wallet, payee!.address)).toEqual([
      before[0]! - 12_345n,
      before[1]! + 12_345n,
    ])
  })
})

describe('getSettlementErrorReason', () => {
  const revert = (message: string) =>
    new BaseError('The contract function reverted.', {
      cause: new ContractFunctionRevertedError({
        abi: [],
        functionName: 'transferWithAuthorization',
        message,
      }),
    })

  test.each([
    [
      'FiatTokenV2: authorization is expired',
      reasons.invalidExactEvmPayloadAuthorizationValidBefore,
    ],
    [
      'FiatTokenV2: authorization is not yet valid',
      reasons.invalidExactEvmPayloadAuthorizationValidAfter,
    ],
    ['FiatTokenV2: authorization is used or canceled', reasons.invalidExactEvmNonceAlreadyUsed],
    ['ERC20: transfer amount exceeds balance', reasons.invalidExactEvmInsufficientBalance],
    ['FiatTokenV2: invalid signature', reasons.invalidExactEvmSignature],
    ['Pausable: paused', reasons.invalidExactEvmTransactionFailed],
  ])('%s -> %s', (message, reason) => {
    expect(getSettlementErrorReason(revert(message))).toBe(reason)
    expect(getSettlementErrorReason(new Error(message))).toBe(reason)
  })
})
