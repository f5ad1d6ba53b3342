// A paid MCP server: the tool `forecast` costs $0.01 a call, `outlook` $0.01 a day asked for.
// Served over Streamable HTTP at http://HOST:PORT/mcp, or over stdio with `--stdio` (for an MCP
// host that starts it). Payments are verified and settled in this process from the
// SETTLER_PRIVATE_KEY wallet, on the chain at RPC_URL, in the token at USDC_ADDRESS.

// #region setup
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js'
import { createLocalFacilitator, readAsset } from '@tollgate/evm'
import { createMcpPaywall } from '@tollgate/mcp/server'
import { createMemoryStore } from '@tollgate/paywall'
import { createWalletClient, http } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { z } from 'zod'
import { connect } from './chain.js'
import { readServerConfig } from './config.js'

const config = (() => {
  try {
    return readServerConfig(process.env)
  } catch (error) {
    console.error(`paid-mcp: ${(error as Error).message}`)
    process.exit(1)
  }
})()
const publicClient = await connect(config.rpcUrl)
const token = await readAsset(publicClient, { address: config.usdcAddress })
const facilitator = createLocalFacilitator({
  publicClient,
  walletClient: createWalletClient({
    account: privateKeyToAccount(config.settlerKey),
    chain: publicClient.chain,
    transport: http(config.rpcUrl),
  }),
  assets: [token],
})
// One store for every server instance: an authorization pays for one call, whichever session.
const store = createMemoryStore()
// #endregion setup

// #region tools
/** An MCP server with its paid tools (one per HTTP request in stateless mode, one for stdio). */
function paidServer(url: string | undefined): McpServer {
  const server = new McpServer({ name: 'paid-weather', version: '1.0.0' })
  const paywall = createMcpPaywall(server, facilitator, {
    assets: [token],
    store,
    ...(url ? { url } : {}),
    // stdout is the MCP channel over stdio: reports go to stderr.
    logger: { warn: console.error, error: console.error },
  })
  const offer = { payTo: config.payTo, network: token.network, asset: token.address }
  paywall.registerTool(
    'forecast',
    {
      description: 'Tomorrow in a city, hour by hour ($0.01)',
      inputSchema: { city: z.string().min(1) },
      outputSchema: { city: z.string(), high: z.number(), sky: z.string() },
      price: '$0.01',
      ...offer,
    },
    async ({ city }) => {
      const forecast = { city, high: 21, sky: 'sunny' }
      return {
        content: [{ type: 'text', text: JSON.stringify(forecast) }],
        structuredContent: forecast,
      }
    },
  )
  paywall.registerTool(
    'outlook',
    {
      description: 'The next days in a city ($0.01 a day)',
      inputSchema: { city: z.string().min(1), days: z.number().int().min(1).max(7) },
      price: ({ arguments: { days } }) => `$${(days / 100).toFixed(2)}`,
      ...offer,
    },
    async ({ city, days }) => ({
      content: [{ type: 'text', text: `${city}: ${days} sunny days` }],
    }),
  )
  return server
}
// #endregion tools

// #region serve
if (process.argv.includes('--stdio')) {
  await paidServer(undefined).connect(new StdioServerTransport())
  console.error(`paid-mcp on stdio: forecast $0.01 to ${config.payTo}`)
} else {
  let endpoint = ''
  const http = createServer(async (req, res) => {
    if (req.url !== '/mcp') return void res.writeHead(404).end()
    // Stateless: a server and a transport per request, closed with the response.
    const server = paidServer(endpoint)
    const transport = new StreamableHTTPServerTransport({})
    res.on('close', () => void transport.close().then(() => server.close()))
    await server.connect(transport)
    await transport.handleRequest(req, res)
  })
  await new Promise<void>((resolve) => http.listen(config.port, config.host, resolve))
  const { port } = http.address() as AddressInfo
  endpoint = `http://${config.host}:${port}/mcp`
  console.log(`paid-mcp listening on ${endpoint}: forecast $0.01 to ${config.payTo}`)
  process.on('SIGTERM', () => http.close(() => process.exit(0)))
}
// #endregion serve
