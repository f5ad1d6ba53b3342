import { erc20Abi } from 'viem'
import { expect, test } from 'vitest'
import { exactPermit2ProxyAbi } from '../generated/ExactPermit2Proxy.js'
import { permit2Abi } from '../generated/Permit2.js'
import { permit2Addresses } from '../permit2/addresses.js'
import { permit2DomainSeparator } from './placePermit2.js'
import { startDevnet } from './startDevnet.js'

test('Permit2 and the exact proxy move a plain token at their canonical addresses', async () => {
  await using devnet = await startDevnet({ accounts: 2 })
  const [payer, payee] = devnet.accounts as [
    (typeof devnet.accounts)[0],
    (typeof devnet.accounts)[0],
  ]
  const read = devnet.publicClient
  expect(
    await read.readContract({
      address: permit2Addresses.permit2,
      abi: permit2Abi,
      functionName: 'DOMAIN_SEPARATOR',
    }),
  ).toBe(permit2DomainSeparator(devnet.chainId, permit2Addresses.permit2))
  expect(
    await read.readContract({
      address: permit2Addresses.exactProxy,
      abi: exactPermit2ProxyAbi,
      functionName: 'PERMIT2',
    }),
  ).toBe(permit2Addresses.permit2)
  await devnet.approvePermit2(payer.address, 'plain')

  const permitted = { token: devnet.plainToken.address, amount: 1234n }
  const witness = { to: payee.address, validAfter: 0n }
  const deadline = BigInt(Math.floor(Date.now() / 1000) + 600)
  const signature = await payer.account.signTypedData({
    domain: {
      name: 'Permit2',
      chainId: devnet.chainId,
      verifyingContract: permit2Addresses.permit2,
    },
    types: {
      PermitWitnessTransferFrom: [
        { name: 'permitted', type: 'TokenPermissions' },
        { name: 'spender', type: 'address' },
        { name: 'nonce', type: 'uint256' },
        { name: 'deadline', type: 'uint256' },
        { name: 'witness', type: 'Witness' },
      ],
      TokenPermissions: [
        { name: 'token', type: 'address' },
        { name: 'amount', type: 'uint256' },
      ],
      Witness: [
        { name: 'to', type: 'address' },
        { name: 'validAfter', type: 'uint256' },
      ],
    },
    primaryType: 'PermitWitnessTransferFrom',
    message: { permitted, spender: permit2Addresses.exactProxy, nonce: 7n, deadline, witness },
  })
  const before = await read.readContract({
    address: devnet.plainToken.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [payee.address],
  })
  const hash = await devnet.walletClient(devnet.deployer.account).writeContract({
    address: permit2Addresses.exactProxy,
    abi: exactPermit2ProxyAbi,
    functionName: 'settle',
    args: [{ permitted, nonce: 7n, deadline }, payer.address, witness, signature],
  })
  expect((await read.waitForTransactionReceipt({ hash })).status).toBe('success')
  const after = await read.readContract({
    address: devnet.plainToken.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [payee.address],
  })
  expect(after - before).toBe(1234n)
})
