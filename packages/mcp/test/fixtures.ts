import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { testUsdcAbi } from '@tollgate/contracts'
import type { DevnetHandle } from '@tollgate/test'
import type { Address } from 'viem'

/** A real SDK client connected to `server` through the SDK's in-memory transport pair. */
export async function connectInMemory(server: McpServer | Server): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await server.connect(serverSide)
  const client = new Client({ name: 'test-agent', version: '1.0.0' })
  await client.connect(clientSide)
  return client
}

/** The test USDC balance of `address` on the devnet. */
export function balanceOf(devnet: DevnetHandle, address: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: testUsdcAbi,
    functionName: 'balanceOf',
    args: [address],
  })
}
