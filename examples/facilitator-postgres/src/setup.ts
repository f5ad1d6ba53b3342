// What the facilitator runs on: the settings from the environment, a client of the chain behind the
// first RPC URL, and the accepted token. Exits with the reason when a setting is missing or wrong.
import { connect } from './chain.js'
import { readConfig } from './config.js'
import { readToken } from './token.js'

export const config = (() => {
  try {
    return readConfig(process.env)
  } catch (error) {
    console.error(`facilitator: ${(error as Error).message}`)
    process.exit(1)
  }
})()
export const publicClient = await connect(config.rpcUrls[0]!)
export const token = await readToken(publicClient, config.usdcAddress)
