import { smartWalletAbi, smartWalletBytecode } from '@tollgate/contracts'
import type { ExactEvmPayload, PaymentRequirements } from '@tollgate/core'
import { reasons } from '@tollgate/core'
import { useDevnet } from '@tollgate/test'
import {
  type Address,
  createPublicClient,
  custom,
  encodeDeployData,
  getContractAddress,
  type Hex,
  hashTypedData,
  http,
  type LocalAccount,
  serializeErc6492Signature,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount, toAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import type { Asset } from './assets.js'
import { ChainMismatchError } from './errors.js'
import { settleAuthorization } from './settleAuthorization.js'
import { signAuthorization } from './signAuthorization.js'
import { verifyAuthorization } from './verifyAuthorization.js'

const devnet = useDevnet({ accounts: 3 })
// Anvil's default CREATE2 deployer: `salt ‖ initcode` deploys `initcode` at a predictable address.
const create2Factory = '0x4e59b44847b379578588920cA78FbF26c0B4956C'

type Token = 'usdc' | 'usdcAlt'

function requirementsFor(token: Token, payTo: Address, amount = '10000'): PaymentRequirements {
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

/** A viem account for an ERC-1271 wallet: it signs the EIP-712 digest with the owner's key. */
function walletAccount(address: Address, owner: LocalAccount): LocalAccount {
  return toAccount({
    address,
    sign: ({ hash }) => owner.sign!({ hash }),
    signMessage: () => Promise.reject(new Error('not used')),
    signTransaction: () => Promise.reject(new Error('not used')),
    signTypedData: (typedData) => owner.sign!({ hash: hashTypedData(typedData) }),
  })
}

/** A public client on the devnet that records every JSON-RPC method it sends. */
function recordingClient() {
  const methods: string[] = []
  const transport = http(devnet.rpcUrl)({ chain: devnet.chain })
  const client = createPublicClient({
    chain: devnet.chain,
    transport: custom({
      request: (args) => {
        methods.push(args.method)
        return transport.request(args)
      },
    }),
  })
  return { client, methods }
}

describe.each(['usdc', 'usdcAlt'] as const)('%s', (token) => {
  test('an EOA payment is valid', async () => {
    const [payer, payee] = devnet.accounts
    const requirements = requirementsFor(token, payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    expect(await verifyAuthorization(devnet.publicClient, { payload, requirements })).toEqual({
      isValid: true,
      payer: payer!.address,
    })
  })

  test('an ERC-1271 wallet payment is valid; a signature by another key is not', async () => {
    const [owner, payee, stranger] = devnet.accounts
    const wallet = await devnet.deploySmartWallet(owner!.address)
    const requirements = requirementsFor(token, payee!.address)
    const payload = await signAuthorization(walletAccount(wallet, owner!.account), { requirements })
    expect(payload.authorization.from).toBe(wallet)
    expect(await verifyAuthorization(devnet.publicClient, { payload, requirements })).toEqual({
      isValid: true,
      payer: wallet,
    })
    const forged = await signAuthorization(walletAccount(wallet, stranger!.account), {
      requirements,
    })
    expect(
      await verifyAuthorization(devnet.publicClient, { payload: forged, requirements }),
    ).toEqual({
      isValid: false,
      invalidReason: reasons.invalidExactEvmSignature,
      payer: wallet,
    })
  })

  test('a wrong extra.name / extra.version is caught from the token itself', async () => {
    const [payer, payee] = devnet.accounts
    const good = requirementsFor(token, payee!.address)
    const wrongName = {
      ...good,
      extra: { name: token === 'usdc' ? 'USDC' : 'USD Coin', version: '2' },
    }
    const wrongVersion = { ...good, extra: { ...good.extra, version: '1' } }
    for (const [requirements, reason] of [
      [wrongName, reasons.invalidExactEvmTokenNameMismatch],
      [wrongVersion, reasons.invalidExactEvmTokenVersionMismatch],
    ] as const) {
      const payload = await signAuthorization(payer!.account, { requirements })
      const result = await verifyAuthorization(devnet.publicClient, { payload, requirements })
      expect(result).toMatchObject({ isValid: false, invalidReason: reason, payer: payer!.address })
    }
  })
})

describe('RPC cost', () => {
  test('EOA: no getCode, the nonce and balance reads only (the token domain is read once)', async () => {
    const [payer, payee] = devnet.accounts
    const { client, methods } = recordingClient()
    const requirements = requirementsFor('usdc', payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    expect((await verifyAuthorization(client, { payload, requirements })).isValid).toBe(true)
    // authorizationState, balanceOf, name(), version()
    expect(methods).toEqual(['eth_call', 'eth_call', 'eth_call', 'eth_call'])
    methods.length = 0
    expect((await verifyAuthorization(client, { payload, requirements })).isValid).toBe(true)
    expect(methods).toEqual(['eth_call', 'eth_call'])
  })

  test('EOA with a registry entry for the token: two reads from the first call', async () => {
    const [payer, payee] = devnet.accounts
    const { client, methods } = recordingClient()
    const registry: Asset[] = [
      {
        chainId: devnet.chainId,
        network: devnet.network,
        address: devnet.usdcAlt.address,
        symbol: 'USDC',
        decimals: 6,
        eip712: { name: 'USDC', version: '2' },
      },
    ]
    const requirements = requirementsFor('usdcAlt', payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    expect(
      (await verifyAuthorization(client, { payload, requirements, assets: registry })).isValid,
    ).toBe(true)
    expect(methods).toEqual(['eth_call', 'eth_call'])
    // A registry that disagrees with extra.name wins without any read of name().
    const stale = [{ ...registry[0]!, eip712: { name: 'Other', version: '2' } }]
    expect(
      await verifyAuthorization(client, { payload, requirements, assets: stale }),
    ).toMatchObject({
      invalidReason: reasons.invalidExactEvmTokenNameMismatch,
    })
  })

  test('EOA with every chain check off: no RPC at all', async () => {
    const [payer, payee] = devnet.accounts
    const { client, methods } = recordingClient()
    const requirements = requirementsFor('usdc', payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    const checks = { nonce: false, balance: false, domain: false }
    expect((await verifyAuthorization(client, { payload, requirements, checks })).isValid).toBe(
      true,
    )
    expect(methods).toEqual([])
  })

  test('a local failure costs no RPC', async () => {
    const [payer, payee, other] = devnet.accounts
    const { client, methods } = recordingClient()
    const requirements = requirementsFor('usdc', payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    const result = await verifyAuthorization(client, {
      payload,
      requirements: { ...requirements, payTo: other!.address },
    })
    expect(result.invalidReason).toBe(reasons.invalidExactEvmRecipientMismatch)
    expect(methods).toEqual([])
  })

  test('ERC-1271 wallet: getCode and isValidSignature go out together with the state reads', async () => {
    const [owner, payee] = devnet.accounts
    const wallet = await devnet.deploySmartWallet(owner!.address)
    const { client, methods } = recordingClient()
    const requirements = requirementsFor('usdc', payee!.address)
    const payload = await signAuthorization(walletAccount(wallet, owner!.account), { requirements })
    expect(
      (await verifyAuthorization(client, { payload, requirements, checks: { domain: false } }))
        .isValid,
    ).toBe(true)
    expect(methods.sort()).toEqual(['eth_call', 'eth_call', 'eth_call', 'eth_getCode'])
  })
})

describe('chain state', () => {
  test('low balance: invalid_exact_evm_insufficient_balance', async () => {
    const [, payee] = devnet.accounts
    const broke = privateKeyToAccount(generatePrivateKey())
    const requirements = requirementsFor('usdc', payee!.address)
    const payload = await signAuthorization(broke, { requirements })
    expect(await verifyAuthorization(devnet.publicClient, { payload, requirements })).toEqual({
      isValid: false,
      invalidReason: reasons.invalidExactEvmInsufficientBalance,
      payer: broke.address,
    })
    // Balance check off: valid (the transfer would revert at settlement).
    expect(
      (
        await verifyAuthorization(devnet.publicClient, {
          payload,
          requirements,
          checks: { balance: false },
        })
      ).isValid,
    ).toBe(true)
  })

  test('used nonce: invalid_exact_evm_nonce_already_used; with simulation only: simulation_failed', async () => {
    const [payer, payee] = devnet.accounts
    const requirements = requirementsFor('usdcAlt', payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    expect(
      (
        await verifyAuthorization(devnet.publicClient, {
          payload,
          requirements,
          checks: { simulate: true },
        })
      ).isValid,
    ).toBe(true)
    const settled = await settleAuthorization(devnet.walletClient(devnet.deployer.account), {
      payload,
      requirements,
      publicClient: devnet.publicClient,
    })
    expect(settled.success).toBe(true)
    expect(await verifyAuthorization(devnet.publicClient, { payload, requirements })).toMatchObject(
      {
        isValid: false,
        invalidReason: reasons.invalidExactEvmNonceAlreadyUsed,
      },
    )
    expect(
      await verifyAuthorization(devnet.publicClient, {
        payload,
        requirements,
        checks: { nonce: false, simulate: true },
      }),
    ).toMatchObject({
      isValid: false,
      invalidReason: reasons.invalidExactEvmTransactionSimulationFailed,
    })
  })

  test('an asset with no code: asset_not_deployed_contract; a contract without EIP-3009: eip3009_not_supported', async () => {
    const [payer, payee, other] = devnet.accounts
    const noCode = { ...requirementsFor('usdc', payee!.address), asset: other!.address }
    const payload = await signAuthorization(payer!.account, { requirements: noCode })
    expect(
      await verifyAuthorization(devnet.publicClient, { payload, requirements: noCode }),
    ).toMatchObject({
      invalidReason: reasons.assetNotDeployedContract,
    })
    const wallet = await devnet.deploySmartWallet(other!.address)
    const notToken = { ...noCode, asset: wallet }
    const payload2 = await signAuthorization(payer!.account, { requirements: notToken })
    expect(
      await verifyAuthorization(devnet.publicClient, { payload: payload2, requirements: notToken }),
    ).toMatchObject({
      invalidReason: reasons.invalidExactEvmEip3009NotSupported,
    })
  })
})

describe('ERC-6492 (undeployed wallet)', () => {
  async function counterfactualWallet(owner: Address, salt: Hex) {
    const initcode = encodeDeployData({
      abi: smartWalletAbi,
      bytecode: smartWalletBytecode,
      args: [owner],
    })
    const address = getContractAddress({
      opcode: 'CREATE2',
      from: create2Factory,
      salt,
      bytecode: initcode,
    })
    await devnet.mint(address, 1_000_000n, 'usdc')
    return { address, factoryData: `${salt}${initcode.slice(2)}` as Hex }
  }

  test('factory not allowed: eip6492_factory_not_allowed; allowed: the signature is checked', async () => {
    const [owner, payee, stranger] = devnet.accounts
    const { address, factoryData } = await counterfactualWallet(
      owner!.address,
      `0x${'01'.repeat(32)}`,
    )
    expect(await devnet.publicClient.getCode({ address })).toBeUndefined()
    const requirements = requirementsFor('usdc', payee!.address)
    const sign = async (signer: LocalAccount) => {
      const inner = await signAuthorization(walletAccount(address, signer), { requirements })
      return {
        ...inner,
        signature: serializeErc6492Signature({
          address: create2Factory,
          data: factoryData,
          signature: inner.signature as Hex,
        }),
      } satisfies ExactEvmPayload
    }
    const payload = await sign(owner!.account)
    expect(await verifyAuthorization(devnet.publicClient, { payload, requirements })).toEqual({
      isValid: false,
      invalidReason: reasons.eip6492FactoryNotAllowed,
      payer: address,
    })
    const erc6492Factories = [create2Factory] as const
    expect(
      await verifyAuthorization(devnet.publicClient, { payload, requirements, erc6492Factories }),
    ).toEqual({
      isValid: true,
      payer: address,
    })
    const forged = await sign(stranger!.account)
    expect(
      await verifyAuthorization(devnet.publicClient, {
        payload: forged,
        requirements,
        erc6492Factories,
      }),
    ).toMatchObject({ isValid: false, invalidReason: reasons.invalidExactEvmSignature })
    // Verification deploys nothing.
    expect(await devnet.publicClient.getCode({ address })).toBeUndefined()
  })
})

describe('errors', () => {
  test('a client on another chain throws ChainMismatchError', async () => {
    const [payer, payee] = devnet.accounts
    const requirements = { ...requirementsFor('usdc', payee!.address), network: 'eip155:8453' }
    const payload = await signAuthorization(payer!.account, { requirements })
    await expect(
      verifyAuthorization(devnet.publicClient, { payload, requirements }),
    ).rejects.toThrow(ChainMismatchError)
  })

  test('an RPC outage throws instead of answering invalid', async () => {
    const [payer, payee] = devnet.accounts
    const dead = createPublicClient({
      chain: devnet.chain,
      transport: http('http://127.0.0.1:1', { retryCount: 0 }),
    })
    const requirements = requirementsFor('usdc', payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    await expect(verifyAuthorization(dead, { payload, requirements })).rejects.toThrow()
  })

  test('a signature that is not hex bytes is invalid_exact_evm_signature, not a throw', async () => {
    const [payer, payee] = devnet.accounts
    const requirements = requirementsFor('usdc', payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    for (const signature of ['nope', '0x123', '0x'])
      expect(
        await verifyAuthorization(devnet.publicClient, {
          payload: { ...payload, signature },
          requirements,
        }),
      ).toMatchObject({ isValid: false, invalidReason: reasons.invalidExactEvmSignature })
  })

  test('a malformed authorization is invalid_payload, not a throw', async () => {
    const [payer, payee] = devnet.accounts
    const requirements = requirementsFor('usdc', payee!.address)
    const payload = await signAuthorization(payer!.account, { requirements })
    const bad = { ...payload, authorization: { ...payload.authorization, value: 'ten' } }
    expect(
      await verifyAuthorization(devnet.publicClient, { payload: bad, requirements }),
    ).toMatchObject({
      isValid: false,
      invalidReason: reasons.invalidPayload,
    })
  })
})
