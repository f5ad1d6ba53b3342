import { createWalletClient, custom, type EIP1193RequestFn } from 'viem'
import { expect, test } from 'vitest'
import { useRegistries } from '../test/useRegistries.js'
import { getValidationStatus } from './getValidationStatus.js'
import { registerAgent } from './registerAgent.js'
import { createRegistrationFile } from './registrationFile.js'
import { requestValidation } from './requestValidation.js'
import { respondToValidation } from './respondToValidation.js'

const chain = useRegistries()

/**
 * The validator's RPC as a geth node behaves: gas is estimated against the latest block (its
 * timestamp), and the transaction lands in a later block, a second on. Anvil does both on request.
 */
function gethLikeValidator() {
  const devnet = chain.devnet
  const forward = devnet.publicClient.request as EIP1193RequestFn
  const request: EIP1193RequestFn = async ({ method, params }) => {
    if (method === 'eth_estimateGas')
      return forward({ method, params: [(params as unknown[])[0], 'latest'] } as never)
    if (method === 'eth_sendRawTransaction') {
      const latest = await devnet.publicClient.getBlock({ blockTag: 'latest' })
      await devnet.testClient.setNextBlockTimestamp({ timestamp: latest.timestamp + 1n })
    }
    return forward({ method, params } as never)
  }
  return createWalletClient({
    account: devnet.accounts[1]!.account,
    chain: devnet.chain,
    transport: custom({ request }),
  })
}

test('a response in the block after the previous write still has gas enough', async () => {
  // `lastUpdate = block.timestamp` is a cheap no-op in the request's block and a paid rewrite one
  // block later: an estimate of the first kind ran out of gas as the second.
  const registry = chain.registries.validationRegistry
  const { agentId } = await registerAgent(chain.wallet(0), {
    registry: chain.registries.identityRegistry,
    file: createRegistrationFile({ name: 'validated at once' }),
    publish: { kind: 'data' },
  })
  const { requestHash } = await requestValidation(chain.wallet(0), {
    registry,
    validator: chain.devnet.accounts[1]!.address,
    agentId,
    request: { task: 'answered in the next block' },
  })
  const validator = gethLikeValidator()
  await respondToValidation(validator, { registry, requestHash, response: 70, tag: 'soft' })
  // And again in the very next block: the previous response set lastUpdate in the latest block.
  await respondToValidation(validator, { registry, requestHash, response: 100, tag: 'hard' })
  expect(
    await getValidationStatus(chain.devnet.publicClient, { registry, requestHash }),
  ).toMatchObject({ response: 100, tag: 'hard' })
})
