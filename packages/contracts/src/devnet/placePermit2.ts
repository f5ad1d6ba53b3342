import {
  type Address,
  encodeAbiParameters,
  encodeDeployData,
  type Hex,
  keccak256,
  type TestClient,
  toHex,
} from 'viem'
import { call, readContract } from 'viem/actions'
import { exactPermit2ProxyAbi, exactPermit2ProxyBytecode } from '../generated/ExactPermit2Proxy.js'
import { multicall3Bytecode } from '../generated/Multicall3.js'
import { permit2Abi, permit2Bytecode } from '../generated/Permit2.js'
import { uptoPermit2ProxyAbi, uptoPermit2ProxyBytecode } from '../generated/UptoPermit2Proxy.js'
import { permit2Addresses } from '../permit2/addresses.js'
import { DevnetSetupError } from './errors.js'

type PlaceClient = Pick<TestClient<'anvil'>, 'setCode' | 'chain'> & Parameters<typeof call>[0]

// keccak256("EIP712Domain(string name,uint256 chainId,address verifyingContract)"): Permit2's domain has no version.
const domainTypeHash = keccak256(
  toHex('EIP712Domain(string name,uint256 chainId,address verifyingContract)'),
)

/** Permit2's EIP-712 domain separator at `address` on `chainId`. */
export function permit2DomainSeparator(chainId: number, address: Address): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'uint256' }, { type: 'address' }],
      [domainTypeHash, keccak256(toHex('Permit2')), BigInt(chainId), address],
    ),
  )
}

/** The runtime code a creation code leaves: an `eth_call` without `to` runs the constructor and returns it. */
async function runtimeOf(client: PlaceClient, data: Hex): Promise<Hex> {
  const { data: code } = await call(client, { data })
  if (!code || code === '0x')
    throw new DevnetSetupError({ details: 'a Permit2 contract constructor left no code' })
  return code
}

/**
 * Places Permit2, the x402 `exact` and `upto` Permit2 proxies and Multicall3 at their canonical addresses
 * (`anvil_setCode` of the code their constructors leave). Permit2 keeps its EIP-712 domain separator in an immutable
 * computed from its construction address; the one in the code is replaced by the separator of the canonical
 * address, so signatures made for the canonical domain verify, as on a public chain.
 */
export async function placePermit2(client: PlaceClient, { chainId }: { chainId: number }) {
  const [permit2, exact, upto, multicall] = await Promise.all([
    runtimeOf(client, permit2Bytecode),
    runtimeOf(
      client,
      encodeDeployData({
        abi: exactPermit2ProxyAbi,
        bytecode: exactPermit2ProxyBytecode,
        args: [permit2Addresses.permit2],
      }),
    ),
    runtimeOf(
      client,
      encodeDeployData({
        abi: uptoPermit2ProxyAbi,
        bytecode: uptoPermit2ProxyBytecode,
        args: [permit2Addresses.permit2],
      }),
    ),
    runtimeOf(client, multicall3Bytecode),
  ])
  await Promise.all([
    client.setCode({ address: permit2Addresses.permit2, bytecode: permit2 }),
    client.setCode({ address: permit2Addresses.exactProxy, bytecode: exact }),
    client.setCode({ address: permit2Addresses.uptoProxy, bytecode: upto }),
    client.setCode({ address: permit2Addresses.multicall3, bytecode: multicall }),
  ])
  const cached = await readContract(client, {
    address: permit2Addresses.permit2,
    abi: permit2Abi,
    functionName: 'DOMAIN_SEPARATOR',
  })
  const canonical = permit2DomainSeparator(chainId, permit2Addresses.permit2)
  if (cached.toLowerCase() === canonical.toLowerCase()) return
  const patched = permit2.split(cached.slice(2).toLowerCase()).join(canonical.slice(2)) as Hex
  if (patched === permit2)
    throw new DevnetSetupError({ details: "Permit2's domain separator was not found in its code" })
  await client.setCode({ address: permit2Addresses.permit2, bytecode: patched })
}
