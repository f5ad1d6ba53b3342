// An agent that pays for an MCP tool: connects to the paid server at MCP_URL, calls `forecast`
// CALLS times through a client that pays under a per-call cap and a budget. A call the policy
// refuses is never signed; a call is reported paid only when its payment settled.

// #region setup
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { formatMoney } from '@tollgate/core'
import { readAsset } from '@tollgate/evm'
import { getReceipt, wrapMcpClient } from '@tollgate/mcp/client'
import { PolicyRefusedError } from '@tollgate/payer'
import { privateKeyToAccount } from 'viem/accounts'
import { connect } from './chain.js'
import { readAgentConfig } from './config.js'

const config = readAgentConfig(process.env)
const publicClient = await connect(config.rpcUrl)
// A devnet token is outside the built-in registry: its decimals and EIP-712 domain, read on-chain.
const token = await readAsset(publicClient, { address: config.usdcAddress })
const usd = (amount: bigint) => `$${formatMoney(amount, { decimals: token.decimals })}`
// #endregion setup

// #region client
const client = new Client({ name: 'forecast-agent', version: '1.0.0' })
await client.connect(new StreamableHTTPClientTransport(new URL(config.mcpUrl)))
const paying = wrapMcpClient(client, {
  account: privateKeyToAccount(config.privateKey),
  url: config.mcpUrl, // the server as the policy sees it: budgets per host, the https rule
  assets: [token],
  policy: {
    maxPerRequest: config.maxPerCall, // e.g. '$0.02'
    budgets: [{ scope: 'host', limit: config.budget, windowMs: 24 * 60 * 60 * 1000 }],
  },
  reconcile: { chains: { [token.network]: publicClient } },
})
// #endregion client

// #region call
for (let call = 1; call <= config.calls; call++) {
  try {
    const result = await paying.callTool({ name: 'forecast', arguments: { city: 'Oslo' } })
    const receipt = getReceipt(result)
    const paid =
      receipt?.status === 'settled'
        ? `paid ${usd(receipt.amount)} in ${receipt.transaction}`
        : `not paid (${receipt?.status ?? 'free'})`
    console.log(`call ${call}: ${paid}: ${JSON.stringify(result.structuredContent)}`)
  } catch (error) {
    // Refused by the policy before anything was signed: no money can have moved.
    if (!(error instanceof PolicyRefusedError)) throw error
    console.log(`call ${call}: refused (${error.guard}), nothing signed`)
  }
}
await client.close()
// #endregion call
