import { useDevnet } from '@tollgate/test'
import {
  type Address,
  type BaseError,
  ContractFunctionRevertedError,
  concat,
  type Hash,
  type Hex,
  hashDomain,
  keccak256,
  type LocalAccount,
  maxUint256,
  numberToHex,
  pad,
  parseEventLogs,
  parseSignature,
  size,
  slice,
  toHex,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, test } from 'vitest'
import type { DevnetAccount } from './devnet/devAccounts.js'
import { startDevnet } from './devnet/startDevnet.js'
import { testUsdcAbi } from './generated/TestUSDC.js'

const devnet = useDevnet()

type Token = { address: Address; name: string; version: string }
type Authorization = {
  from: Address
  to: Address
  value: bigint
  validAfter: bigint
  validBefore: bigint
  nonce: Hash
}

const authorizationTypes = [
  { name: 'from', type: 'address' },
  { name: 'to', type: 'address' },
  { name: 'value', type: 'uint256' },
  { name: 'validAfter', type: 'uint256' },
  { name: 'validBefore', type: 'uint256' },
  { name: 'nonce', type: 'bytes32' },
] as const

const eip712DomainTypes = [
  { name: 'name', type: 'string' },
  { name: 'version', type: 'string' },
  { name: 'chainId', type: 'uint256' },
  { name: 'verifyingContract', type: 'address' },
] as const

const secp256k1n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n

const domainOf = (token: Token, chainId = devnet.chainId) => ({
  name: token.name,
  version: token.version,
  chainId,
  verifyingContract: token.address,
})

function signAuthorization(
  signer: LocalAccount,
  token: Token,
  authorization: Authorization,
  primaryType:
    | 'TransferWithAuthorization'
    | 'ReceiveWithAuthorization' = 'TransferWithAuthorization',
  chainId = devnet.chainId,
): Promise<Hex> {
  return signer.signTypedData!({
    domain: domainOf(token, chainId),
    types: { [primaryType]: authorizationTypes },
    primaryType,
    message: authorization,
  } as never)
}

function signCancel(signer: LocalAccount, token: Token, authorizer: Address, nonce: Hash) {
  return signer.signTypedData!({
    domain: domainOf(token),
    types: {
      CancelAuthorization: [
        { name: 'authorizer', type: 'address' },
        { name: 'nonce', type: 'bytes32' },
      ],
    },
    primaryType: 'CancelAuthorization',
    message: { authorizer, nonce },
  })
}

function signPermit(
  signer: LocalAccount,
  token: Token,
  permit: { owner: Address; spender: Address; value: bigint; nonce: bigint; deadline: bigint },
) {
  return signer.signTypedData!({
    domain: domainOf(token),
    types: {
      Permit: [
        { name: 'owner', type: 'address' },
        { name: 'spender', type: 'address' },
        { name: 'value', type: 'uint256' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
      ],
    },
    primaryType: 'Permit',
    message: permit,
  })
}

/** The (v, r, s) arguments of the overloads that take them. */
function vrs(signature: Hex): [number, Hex, Hex] {
  const { v, r, s } = parseSignature(signature)
  return [Number(v), r, s]
}

const randomNonce = (): Hash => keccak256(toHex(crypto.getRandomValues(new Uint8Array(32))))

async function now(): Promise<bigint> {
  return (await devnet.publicClient.getBlock()).timestamp
}

async function authorization(
  from: Address,
  to: Address,
  value: bigint,
  overrides: Partial<Authorization> = {},
): Promise<Authorization> {
  const t = await now()
  return {
    from,
    to,
    value,
    validAfter: t - 60n,
    validBefore: t + 3600n,
    nonce: randomNonce(),
    ...overrides,
  }
}

/** Sends a TestUSDC call from `sender` and waits for it; fails the test if it reverts. */
async function send(
  sender: DevnetAccount,
  token: Address,
  functionName: string,
  args: readonly unknown[],
) {
  const hash = await devnet.walletClient(sender.account).writeContract({
    address: token,
    abi: testUsdcAbi,
    functionName,
    args,
  } as never)
  const receipt = await devnet.publicClient.waitForTransactionReceipt({ hash })
  expect(receipt.status).toBe('success')
  return parseEventLogs({ abi: testUsdcAbi, logs: receipt.logs })
}

/** The revert string of a TestUSDC call simulated from `sender`. */
async function revertOf(
  sender: Address,
  token: Address,
  functionName: string,
  args: readonly unknown[],
): Promise<string | undefined> {
  try {
    await devnet.publicClient.simulateContract({
      account: sender,
      address: token,
      abi: testUsdcAbi,
      functionName,
      args,
    } as never)
  } catch (error) {
    const reverted = (error as BaseError).walk((e) => e instanceof ContractFunctionRevertedError)
    if (reverted instanceof ContractFunctionRevertedError) return reverted.reason
    throw error
  }
  throw new Error(`${functionName} did not revert`)
}

function read<result>(token: Address, functionName: string, args: readonly unknown[] = []) {
  return devnet.publicClient.readContract({
    address: token,
    abi: testUsdcAbi,
    functionName,
    args,
  } as never) as Promise<result>
}

const balanceOf = (token: Address, owner: Address) => read<bigint>(token, 'balanceOf', [owner])
const args3009 = (a: Authorization) =>
  [a.from, a.to, a.value, a.validAfter, a.validBefore, a.nonce] as const

function accounts() {
  const [payer, payee, relayer, other] = devnet.accounts as [
    DevnetAccount,
    DevnetAccount,
    DevnetAccount,
    DevnetAccount,
  ]
  return { payer, payee, relayer, other, owner: devnet.deployer }
}

describe('metadata and EIP-712 domain', () => {
  test('name, symbol, decimals, version, owner', async () => {
    for (const token of [devnet.usdc, devnet.usdcAlt]) {
      expect(await read(token.address, 'name')).toBe(token.name)
      expect(await read(token.address, 'symbol')).toBe('USDC')
      expect(await read(token.address, 'decimals')).toBe(6)
      expect(await read(token.address, 'version')).toBe('2')
      expect(await read(token.address, 'owner')).toBe(devnet.deployer.address)
    }
  })

  test('DOMAIN_SEPARATOR equals viem hashDomain for the "USD Coin" and the "USDC" token', async () => {
    for (const token of [devnet.usdc, devnet.usdcAlt]) {
      const domain = domainOf(token)
      const expected = hashDomain({
        domain: { ...domain, chainId: BigInt(domain.chainId) },
        types: { EIP712Domain: eip712DomainTypes },
      })
      expect(await read(token.address, 'DOMAIN_SEPARATOR')).toBe(expected)
    }
    expect(await read(devnet.usdc.address, 'DOMAIN_SEPARATOR')).not.toBe(
      await read(devnet.usdcAlt.address, 'DOMAIN_SEPARATOR'),
    )
  })

  test('eip712Domain (ERC-5267)', async () => {
    expect(await read(devnet.usdcAlt.address, 'eip712Domain')).toEqual([
      '0x0f',
      'USDC',
      '2',
      31337n,
      devnet.usdcAlt.address,
      pad('0x', { size: 32 }),
      [],
    ])
  })

  test('type hashes', async () => {
    const typeHash = (type: string) => keccak256(toHex(type))
    const fields =
      'address from,address to,uint256 value,uint256 validAfter,uint256 validBefore,bytes32 nonce'
    expect(await read(devnet.usdc.address, 'TRANSFER_WITH_AUTHORIZATION_TYPEHASH')).toBe(
      typeHash(`TransferWithAuthorization(${fields})`),
    )
    expect(await read(devnet.usdc.address, 'RECEIVE_WITH_AUTHORIZATION_TYPEHASH')).toBe(
      typeHash(`ReceiveWithAuthorization(${fields})`),
    )
    expect(await read(devnet.usdc.address, 'CANCEL_AUTHORIZATION_TYPEHASH')).toBe(
      typeHash('CancelAuthorization(address authorizer,bytes32 nonce)'),
    )
    expect(await read(devnet.usdc.address, 'PERMIT_TYPEHASH')).toBe(
      typeHash(
        'Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)',
      ),
    )
  })
})

describe('ERC-20', () => {
  test('transfer moves the balance and emits Transfer', async () => {
    const { payer, payee } = accounts()
    const token = devnet.usdc.address
    const [before, payeeBefore] = [
      await balanceOf(token, payer.address),
      await balanceOf(token, payee.address),
    ]
    const events = await send(payer, token, 'transfer', [payee.address, 1_500_000n])
    expect(events).toMatchObject([
      {
        eventName: 'Transfer',
        args: { from: payer.address, to: payee.address, value: 1_500_000n },
      },
    ])
    expect(await balanceOf(token, payer.address)).toBe(before - 1_500_000n)
    expect(await balanceOf(token, payee.address)).toBe(payeeBefore + 1_500_000n)
  })

  test('transfer reverts', async () => {
    const { payer, payee } = accounts()
    const token = devnet.usdc.address
    const balance = await balanceOf(token, payer.address)
    expect(await revertOf(payer.address, token, 'transfer', [payee.address, balance + 1n])).toBe(
      'ERC20: transfer amount exceeds balance',
    )
    expect(
      await revertOf(payer.address, token, 'transfer', [
        '0x0000000000000000000000000000000000000000',
        1n,
      ]),
    ).toBe('ERC20: transfer to the zero address')
  })

  test('approve, allowance, transferFrom', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdcAlt.address
    expect(await send(payer, token, 'approve', [relayer.address, 10n])).toMatchObject([
      {
        eventName: 'Approval',
        args: { owner: payer.address, spender: relayer.address, value: 10n },
      },
    ])
    expect(await read(token, 'allowance', [payer.address, relayer.address])).toBe(10n)
    expect(
      await revertOf(relayer.address, token, 'transferFrom', [payer.address, payee.address, 11n]),
    ).toBe('ERC20: transfer amount exceeds allowance')
    const payeeBefore = await balanceOf(token, payee.address)
    await send(relayer, token, 'transferFrom', [payer.address, payee.address, 4n])
    expect(await read(token, 'allowance', [payer.address, relayer.address])).toBe(6n)
    expect(await balanceOf(token, payee.address)).toBe(payeeBefore + 4n)
  })

  test('transferFrom beyond the balance, with enough allowance', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdcAlt.address
    await send(payer, token, 'approve', [relayer.address, maxUint256])
    const balance = await balanceOf(token, payer.address)
    expect(
      await revertOf(relayer.address, token, 'transferFrom', [
        payer.address,
        payee.address,
        balance + 1n,
      ]),
    ).toBe('ERC20: transfer amount exceeds balance')
    await send(payer, token, 'approve', [relayer.address, 0n])
  })

  test('approve to the zero address reverts', async () => {
    const { payer } = accounts()
    expect(
      await revertOf(payer.address, devnet.usdc.address, 'approve', [
        '0x0000000000000000000000000000000000000000',
        1n,
      ]),
    ).toBe('ERC20: approve to the zero address')
  })

  test('increaseAllowance and decreaseAllowance', async () => {
    const { payer, other } = accounts()
    const token = devnet.usdc.address
    await send(payer, token, 'approve', [other.address, 5n])
    await send(payer, token, 'increaseAllowance', [other.address, 3n])
    expect(await read(token, 'allowance', [payer.address, other.address])).toBe(8n)
    await send(payer, token, 'decreaseAllowance', [other.address, 8n])
    expect(await read(token, 'allowance', [payer.address, other.address])).toBe(0n)
    expect(await revertOf(payer.address, token, 'decreaseAllowance', [other.address, 1n])).toBe(
      'ERC20: decreased allowance below zero',
    )
  })

  test('mint: owner only, emits Mint and Transfer, raises totalSupply', async () => {
    const { owner, payee, other } = accounts()
    const token = devnet.usdc.address
    const supply = await read<bigint>(token, 'totalSupply')
    const events = await send(owner, token, 'mint', [payee.address, 42n])
    expect(events.map((e) => e.eventName)).toEqual(['Mint', 'Transfer'])
    expect(events[1]).toMatchObject({
      args: { from: '0x0000000000000000000000000000000000000000', to: payee.address, value: 42n },
    })
    expect(await read(token, 'totalSupply')).toBe(supply + 42n)
    expect(await revertOf(other.address, token, 'mint', [other.address, 1n])).toBe(
      'FiatToken: caller is not a minter',
    )
    expect(
      await revertOf(owner.address, token, 'mint', [
        '0x0000000000000000000000000000000000000000',
        1n,
      ]),
    ).toBe('FiatToken: mint to the zero address')
    expect(await revertOf(owner.address, token, 'mint', [payee.address, 0n])).toBe(
      'FiatToken: mint amount not greater than 0',
    )
    expect(await revertOf(owner.address, token, 'mint', [payee.address, 1n << 255n])).toBe(
      'FiatTokenV2_2: Balance exceeds (2^255 - 1)',
    )
  })

  test('transferOwnership', async () => {
    const { owner, other } = accounts()
    const token = devnet.usdcAlt.address
    expect(await revertOf(other.address, token, 'transferOwnership', [other.address])).toBe(
      'Ownable: caller is not the owner',
    )
    expect(
      await revertOf(owner.address, token, 'transferOwnership', [
        '0x0000000000000000000000000000000000000000',
      ]),
    ).toBe('Ownable: new owner is the zero address')
    await send(owner, token, 'transferOwnership', [other.address])
    expect(await read(token, 'owner')).toBe(other.address)
    await send(other, token, 'transferOwnership', [owner.address])
    expect(await read(token, 'owner')).toBe(owner.address)
  })
})

describe('transferWithAuthorization', () => {
  test('(v, r, s) overload, EOA, submitted by a relayer', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const auth = await authorization(payer.address, payee.address, 1_000_000n)
    const signature = await signAuthorization(payer.account, token, auth)
    const [before, payeeBefore] = [
      await balanceOf(token.address, payer.address),
      await balanceOf(token.address, payee.address),
    ]
    expect(await read(token.address, 'authorizationState', [payer.address, auth.nonce])).toBe(false)
    const events = await send(relayer, token.address, 'transferWithAuthorization', [
      ...args3009(auth),
      ...vrs(signature),
    ])
    expect(events).toMatchObject([
      { eventName: 'AuthorizationUsed', args: { authorizer: payer.address, nonce: auth.nonce } },
      {
        eventName: 'Transfer',
        args: { from: payer.address, to: payee.address, value: 1_000_000n },
      },
    ])
    expect(await read(token.address, 'authorizationState', [payer.address, auth.nonce])).toBe(true)
    expect(await balanceOf(token.address, payer.address)).toBe(before - 1_000_000n)
    expect(await balanceOf(token.address, payee.address)).toBe(payeeBefore + 1_000_000n)
  })

  test('bytes overload, EOA (65-byte signature)', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdcAlt
    const auth = await authorization(payer.address, payee.address, 3n)
    const signature = await signAuthorization(payer.account, token, auth)
    const payeeBefore = await balanceOf(token.address, payee.address)
    await send(relayer, token.address, 'transferWithAuthorization', [...args3009(auth), signature])
    expect(await balanceOf(token.address, payee.address)).toBe(payeeBefore + 3n)
  })

  test('bytes overload, ERC-1271 smart wallet', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const wallet = await devnet.deploySmartWallet(payer.address)
    const auth = await authorization(wallet, payee.address, 250n)
    const signature = await signAuthorization(payer.account, token, auth)
    const payeeBefore = await balanceOf(token.address, payee.address)
    const events = await send(relayer, token.address, 'transferWithAuthorization', [
      ...args3009(auth),
      signature,
    ])
    expect(events[0]).toMatchObject({
      eventName: 'AuthorizationUsed',
      args: { authorizer: wallet },
    })
    expect(await balanceOf(token.address, payee.address)).toBe(payeeBefore + 250n)
    expect(await balanceOf(token.address, wallet)).toBe(1_000_000_000n - 250n)

    // The (v, r, s) overload packs the same bytes, so it reaches the wallet too.
    const auth2 = await authorization(wallet, payee.address, 1n)
    await send(relayer, token.address, 'transferWithAuthorization', [
      ...args3009(auth2),
      ...vrs(await signAuthorization(payer.account, token, auth2)),
    ])

    // Anyone but the wallet's owner: the wallet says no, whatever the bytes.
    const auth3 = await authorization(wallet, payee.address, 1n)
    const stranger = privateKeyToAccount(generatePrivateKey())
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(auth3),
        await signAuthorization(stranger, token, auth3),
      ]),
    ).toBe('FiatTokenV2: invalid signature')
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(auth3),
        '0x1234',
      ]),
    ).toBe('FiatTokenV2: invalid signature')
  })

  test('wrong signer, tampered value, other token, other chain: invalid signature', async () => {
    const { payer, payee, relayer, other } = accounts()
    const token = devnet.usdc
    const auth = await authorization(payer.address, payee.address, 10n)
    const cases: [Hex, Authorization, Address][] = [
      [await signAuthorization(other.account, token, auth), auth, token.address],
      [await signAuthorization(payer.account, token, auth), { ...auth, value: 11n }, token.address],
      [await signAuthorization(payer.account, devnet.usdcAlt, auth), auth, token.address],
      [await signAuthorization(payer.account, token, auth, undefined, 1), auth, token.address],
      [
        await signAuthorization(payer.account, token, auth, 'ReceiveWithAuthorization'),
        auth,
        token.address,
      ],
    ]
    for (const [signature, signed, address] of cases) {
      expect(
        await revertOf(relayer.address, address, 'transferWithAuthorization', [
          ...args3009(signed),
          ...vrs(signature),
        ]),
      ).toBe('FiatTokenV2: invalid signature')
      expect(
        await revertOf(relayer.address, address, 'transferWithAuthorization', [
          ...args3009(signed),
          signature,
        ]),
      ).toBe('FiatTokenV2: invalid signature')
    }
  })

  test('not yet valid, expired', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const t = await now()
    const early = await authorization(payer.address, payee.address, 1n, { validAfter: t + 3600n })
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(early),
        ...vrs(await signAuthorization(payer.account, token, early)),
      ]),
    ).toBe('FiatTokenV2: authorization is not yet valid')
    const late = await authorization(payer.address, payee.address, 1n, {
      validAfter: 0n,
      validBefore: t - 1n,
    })
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(late),
        await signAuthorization(payer.account, token, late),
      ]),
    ).toBe('FiatTokenV2: authorization is expired')
  })

  test('the time window is exclusive at both ends', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const submitAt = async (timestamp: bigint, auth: Authorization) => {
      await devnet.testClient.setNextBlockTimestamp({ timestamp })
      // Fixed gas: estimation would run at another timestamp.
      const hash = await devnet.walletClient(relayer.account).writeContract({
        address: token.address,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: [...args3009(auth), await signAuthorization(payer.account, token, auth)],
        gas: 300_000n,
      })
      return (await devnet.publicClient.waitForTransactionReceipt({ hash })).status
    }
    let t = (await now()) + 100n
    expect(
      await submitAt(t, await authorization(payer.address, payee.address, 1n, { validAfter: t })),
    ).toBe('reverted')
    t += 100n
    expect(
      await submitAt(
        t,
        await authorization(payer.address, payee.address, 1n, { validAfter: 0n, validBefore: t }),
      ),
    ).toBe('reverted')
    t += 100n
    expect(
      await submitAt(
        t,
        await authorization(payer.address, payee.address, 1n, {
          validAfter: t - 1n,
          validBefore: t + 1n,
        }),
      ),
    ).toBe('success')
  })

  test('a used nonce cannot be replayed', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdcAlt
    const auth = await authorization(payer.address, payee.address, 2n)
    const signature = await signAuthorization(payer.account, token, auth)
    await send(relayer, token.address, 'transferWithAuthorization', [...args3009(auth), signature])
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(auth),
        signature,
      ]),
    ).toBe('FiatTokenV2: authorization is used or canceled')
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(auth),
        ...vrs(signature),
      ]),
    ).toBe('FiatTokenV2: authorization is used or canceled')
  })

  test('a canceled nonce cannot be used', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const auth = await authorization(payer.address, payee.address, 2n)
    const signature = await signAuthorization(payer.account, token, auth)
    await send(relayer, token.address, 'cancelAuthorization', [
      payer.address,
      auth.nonce,
      ...vrs(await signCancel(payer.account, token, payer.address, auth.nonce)),
    ])
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(auth),
        signature,
      ]),
    ).toBe('FiatTokenV2: authorization is used or canceled')
  })

  test('insufficient balance, zero payee', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const balance = await balanceOf(token.address, payer.address)
    const auth = await authorization(payer.address, payee.address, balance + 1n)
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(auth),
        ...vrs(await signAuthorization(payer.account, token, auth)),
      ]),
    ).toBe('ERC20: transfer amount exceeds balance')
    const toZero = await authorization(
      payer.address,
      '0x0000000000000000000000000000000000000000',
      1n,
    )
    expect(
      await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
        ...args3009(toZero),
        await signAuthorization(payer.account, token, toZero),
      ]),
    ).toBe('ERC20: transfer to the zero address')
  })

  test('malformed EOA signatures revert with ECRecover strings', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const auth = await authorization(payer.address, payee.address, 1n)
    const signature = await signAuthorization(payer.account, token, auth)
    const { r, s, v } = parseSignature(signature)
    const highS = numberToHex(secp256k1n - BigInt(s), { size: 32 })
    const cases: [Hex, string][] = [
      [slice(signature, 0, 64), 'ECRecover: invalid signature length'],
      [concat([signature, '0x00']), 'ECRecover: invalid signature length'],
      [concat([r, s, '0x1d']), "ECRecover: invalid signature 'v' value"],
      [concat([r, highS, v === 27n ? '0x1c' : '0x1b']), "ECRecover: invalid signature 's' value"],
      [
        concat([pad('0x00', { size: 32 }), pad('0x01', { size: 32 }), '0x1b']),
        'ECRecover: invalid signature',
      ],
    ]
    for (const [bad, reason] of cases) {
      expect(
        await revertOf(relayer.address, token.address, 'transferWithAuthorization', [
          ...args3009(auth),
          bad,
        ]),
        `${size(bad)}-byte signature`,
      ).toBe(reason)
    }
  })
})

describe('receiveWithAuthorization', () => {
  test('the payee submits it (both overloads)', async () => {
    const { payer, payee } = accounts()
    const token = devnet.usdc
    const payeeBefore = await balanceOf(token.address, payee.address)
    const auth = await authorization(payer.address, payee.address, 5n)
    const events = await send(payee, token.address, 'receiveWithAuthorization', [
      ...args3009(auth),
      ...vrs(await signAuthorization(payer.account, token, auth, 'ReceiveWithAuthorization')),
    ])
    expect(events.map((e) => e.eventName)).toEqual(['AuthorizationUsed', 'Transfer'])
    const auth2 = await authorization(payer.address, payee.address, 6n)
    await send(payee, token.address, 'receiveWithAuthorization', [
      ...args3009(auth2),
      await signAuthorization(payer.account, token, auth2, 'ReceiveWithAuthorization'),
    ])
    expect(await balanceOf(token.address, payee.address)).toBe(payeeBefore + 11n)
  })

  test('anyone else is refused, before any other check', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const t = await now()
    const auth = await authorization(payer.address, payee.address, 5n, { validBefore: t - 1n })
    const signature = await signAuthorization(
      payer.account,
      token,
      auth,
      'ReceiveWithAuthorization',
    )
    for (const tail of [vrs(signature), [signature]]) {
      expect(
        await revertOf(relayer.address, token.address, 'receiveWithAuthorization', [
          ...args3009(auth),
          ...tail,
        ]),
      ).toBe('FiatTokenV2: caller must be the payee')
    }
  })

  test('a TransferWithAuthorization signature does not receive', async () => {
    const { payer, payee } = accounts()
    const token = devnet.usdc
    const auth = await authorization(payer.address, payee.address, 5n)
    expect(
      await revertOf(payee.address, token.address, 'receiveWithAuthorization', [
        ...args3009(auth),
        await signAuthorization(payer.account, token, auth),
      ]),
    ).toBe('FiatTokenV2: invalid signature')
  })
})

describe('cancelAuthorization', () => {
  test('(v, r, s) and bytes overloads, EOA and ERC-1271 wallet', async () => {
    const { payer, relayer } = accounts()
    const token = devnet.usdcAlt
    const wallet = await devnet.deploySmartWallet(payer.address)
    for (const [authorizer, packed] of [
      [payer.address, false],
      [payer.address, true],
      [wallet, true],
      [wallet, false],
    ] as const) {
      const nonce = randomNonce()
      const signature = await signCancel(payer.account, token, authorizer, nonce)
      const events = await send(relayer, token.address, 'cancelAuthorization', [
        authorizer,
        nonce,
        ...(packed ? [signature] : vrs(signature)),
      ])
      expect(events).toMatchObject([
        { eventName: 'AuthorizationCanceled', args: { authorizer, nonce } },
      ])
      expect(await read(token.address, 'authorizationState', [authorizer, nonce])).toBe(true)
      expect(
        await revertOf(relayer.address, token.address, 'cancelAuthorization', [
          authorizer,
          nonce,
          signature,
        ]),
      ).toBe('FiatTokenV2: authorization is used or canceled')
    }
  })

  test('cancelling a used nonce reverts', async () => {
    const { payer, payee, relayer } = accounts()
    const token = devnet.usdc
    const auth = await authorization(payer.address, payee.address, 1n)
    await send(relayer, token.address, 'transferWithAuthorization', [
      ...args3009(auth),
      await signAuthorization(payer.account, token, auth),
    ])
    const cancel = await signCancel(payer.account, token, payer.address, auth.nonce)
    expect(
      await revertOf(relayer.address, token.address, 'cancelAuthorization', [
        payer.address,
        auth.nonce,
        ...vrs(cancel),
      ]),
    ).toBe('FiatTokenV2: authorization is used or canceled')
  })

  test('a signature by someone else is refused', async () => {
    const { payer, relayer, other } = accounts()
    const token = devnet.usdc
    const nonce = randomNonce()
    const signature = await signCancel(other.account, token, payer.address, nonce)
    expect(
      await revertOf(relayer.address, token.address, 'cancelAuthorization', [
        payer.address,
        nonce,
        signature,
      ]),
    ).toBe('FiatTokenV2: invalid signature')
    expect(await read(token.address, 'authorizationState', [payer.address, nonce])).toBe(false)
  })
})

describe('permit', () => {
  test('(v, r, s) overload: sets the allowance and increments the nonce', async () => {
    const { payer, relayer, other } = accounts()
    const token = devnet.usdc
    const nonce = await read<bigint>(token.address, 'nonces', [payer.address])
    const permit = {
      owner: payer.address,
      spender: other.address,
      value: 77n,
      nonce,
      deadline: maxUint256,
    }
    const signature = await signPermit(payer.account, token, permit)
    const events = await send(relayer, token.address, 'permit', [
      payer.address,
      other.address,
      77n,
      maxUint256,
      ...vrs(signature),
    ])
    expect(events).toMatchObject([
      { eventName: 'Approval', args: { owner: payer.address, spender: other.address, value: 77n } },
    ])
    expect(await read(token.address, 'allowance', [payer.address, other.address])).toBe(77n)
    expect(await read(token.address, 'nonces', [payer.address])).toBe(nonce + 1n)
    // The same signature again: the nonce moved on.
    expect(
      await revertOf(relayer.address, token.address, 'permit', [
        payer.address,
        other.address,
        77n,
        maxUint256,
        ...vrs(signature),
      ]),
    ).toBe('EIP2612: invalid signature')
  })

  test('bytes overload: EOA and ERC-1271 wallet', async () => {
    const { payer, relayer, other } = accounts()
    const token = devnet.usdcAlt
    const wallet = await devnet.deploySmartWallet(payer.address)
    for (const owner of [payer.address, wallet]) {
      const nonce = await read<bigint>(token.address, 'nonces', [owner])
      const deadline = (await now()) + 600n
      const signature = await signPermit(payer.account, token, {
        owner,
        spender: other.address,
        value: 9n,
        nonce,
        deadline,
      })
      await send(relayer, token.address, 'permit', [owner, other.address, 9n, deadline, signature])
      expect(await read(token.address, 'allowance', [owner, other.address])).toBe(9n)
      expect(await read(token.address, 'nonces', [owner])).toBe(nonce + 1n)
    }
  })

  test('expired deadline, bad signature', async () => {
    const { payer, relayer, other } = accounts()
    const token = devnet.usdc
    const nonce = await read<bigint>(token.address, 'nonces', [payer.address])
    const deadline = (await now()) - 1n
    const expired = await signPermit(payer.account, token, {
      owner: payer.address,
      spender: other.address,
      value: 1n,
      nonce,
      deadline,
    })
    expect(
      await revertOf(relayer.address, token.address, 'permit', [
        payer.address,
        other.address,
        1n,
        deadline,
        expired,
      ]),
    ).toBe('FiatTokenV2: permit is expired')
    const forged = await signPermit(other.account, token, {
      owner: payer.address,
      spender: other.address,
      value: 1n,
      nonce,
      deadline: maxUint256,
    })
    for (const tail of [vrs(forged), [forged]]) {
      expect(
        await revertOf(relayer.address, token.address, 'permit', [
          payer.address,
          other.address,
          1n,
          maxUint256,
          ...tail,
        ]),
      ).toBe('EIP2612: invalid signature')
    }
    expect(await read(token.address, 'nonces', [payer.address])).toBe(nonce)
  })
})

describe('placeUsdcAt on a Base Sepolia devnet (legacy v1 tests)', () => {
  test('transferWithAuthorization signed for the real address and chain works', async () => {
    const baseSepoliaUsdc = '0x036CbD53842c5426634e7929541eC2318f3dCF7e'
    const sepolia = await startDevnet({ chainId: 84532, accounts: 3 })
    try {
      await sepolia.placeUsdcAt(baseSepoliaUsdc, 'usdcAlt')
      const token = { address: baseSepoliaUsdc, name: 'USDC', version: '2' } as const
      const [payer, payee, relayer] = sepolia.accounts as [
        DevnetAccount,
        DevnetAccount,
        DevnetAccount,
      ]
      const readHere = (functionName: string, args: readonly unknown[] = []) =>
        sepolia.publicClient.readContract({
          address: baseSepoliaUsdc,
          abi: testUsdcAbi,
          functionName,
          args,
        } as never) as Promise<unknown>

      const domain = domainOf(token, 84532)
      expect(await readHere('DOMAIN_SEPARATOR')).toBe(
        hashDomain({
          domain: { ...domain, chainId: BigInt(domain.chainId) },
          types: { EIP712Domain: eip712DomainTypes },
        }),
      )
      expect(await readHere('balanceOf', [payer.address])).toBe(1_000_000_000n)

      const t = (await sepolia.publicClient.getBlock()).timestamp
      const auth = {
        from: payer.address,
        to: payee.address,
        value: 10_000n,
        validAfter: t - 60n,
        validBefore: t + 600n,
        nonce: randomNonce(),
      }
      // Signed for the devnet's own usdcAlt address: refused at the copy.
      const wrongAddress = await signAuthorization(
        payer.account,
        sepolia.usdcAlt,
        auth,
        undefined,
        84532,
      )
      await expect(
        sepolia.walletClient(relayer.account).writeContract({
          address: baseSepoliaUsdc,
          abi: testUsdcAbi,
          functionName: 'transferWithAuthorization',
          args: [
            auth.from,
            auth.to,
            auth.value,
            auth.validAfter,
            auth.validBefore,
            auth.nonce,
            wrongAddress,
          ],
        }),
      ).rejects.toThrow('FiatTokenV2: invalid signature')

      const signature = await signAuthorization(payer.account, token, auth, undefined, 84532)
      const hash = await sepolia.walletClient(relayer.account).writeContract({
        address: baseSepoliaUsdc,
        abi: testUsdcAbi,
        functionName: 'transferWithAuthorization',
        args: [
          auth.from,
          auth.to,
          auth.value,
          auth.validAfter,
          auth.validBefore,
          auth.nonce,
          ...vrs(signature),
        ],
      })
      const receipt = await sepolia.publicClient.waitForTransactionReceipt({ hash })
      expect(receipt.status).toBe('success')
      expect(await readHere('balanceOf', [payee.address])).toBe(1_000_010_000n)
      expect(await readHere('authorizationState', [payer.address, auth.nonce])).toBe(true)
      // The original token is untouched.
      expect(
        await sepolia.publicClient.readContract({
          address: sepolia.usdcAlt.address,
          abi: testUsdcAbi,
          functionName: 'balanceOf',
          args: [payee.address],
        }),
      ).toBe(1_000_000_000n)
    } finally {
      await sepolia.stop()
    }
  })
})
