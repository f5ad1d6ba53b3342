// A Tollgate facilitator on PostgreSQL. Run several instances on one DATABASE_URL, each with its
// own INSTANCE_ID and SETTLER_PRIVATE_KEY, behind a load balancer: the ledger in the database makes
// every authorization settle once, whichever instance receives it.

// #region facilitator
import { createFacilitator, createPostgresLedger, serveFacilitator } from '@tollgate/facilitator'
import pg from 'pg'
import { privateKeyToAccount } from 'viem/accounts'
import { config, publicClient, token } from './setup.js' // settings, chain client, accepted token

// Errors the facilitator recovered from: background work (retried) and requests answered 5xx.
// RPC URLs in them are cut to their origin; print the one-line summary.
const report = (error: unknown) =>
  console.error(`facilitator: ${(error as { shortMessage?: string }).shortMessage ?? error}`)

const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 10 })
pool.on('error', (error) => console.error(`facilitator: database: ${error.message}`))
const ledger = await createPostgresLedger(pool) // creates its tables if they are missing
const facilitator = createFacilitator({
  ledger,
  chains: [
    {
      chainId: publicClient.chain.id,
      rpcUrls: config.rpcUrls, // tried in order: failover
      assets: [token],
      batchSettler: config.batchSettler, // unset: one transaction per payment
    },
  ],
  signers: [privateKeyToAccount(config.settlerKey)], // distinct per instance
  instanceId: config.instanceId, // stable across restarts, distinct per instance
  mode: config.mode,
  http: { apiKeys: config.apiKeys.length > 0 ? config.apiKeys : undefined },
  onError: report,
})
await facilitator.start() // picks up settlements a crashed instance left unfinished
const server = await serveFacilitator(facilitator, {
  host: config.host,
  port: config.port,
  onError: report,
})
// #endregion facilitator
console.log(`facilitator ${config.instanceId} listening on ${server.url} (${token.network})`)

// #region shutdown
// Stop taking requests, let those in flight finish, stop the settlers, then close the database.
// close() is final: the facilitator does not start again.
async function shutdown() {
  await server.close()
  await facilitator.close()
  await ledger.close()
  await pool.end()
  process.exit(0)
}
process.once('SIGTERM', shutdown)
process.once('SIGINT', shutdown)
// #endregion shutdown
