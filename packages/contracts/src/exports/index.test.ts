import { expect, test } from 'vitest'
import * as contracts from './index.js'

test('exports', () => {
  expect(Object.keys(contracts).sort()).toMatchInlineSnapshot(`
    [
      "DeployRegistriesError",
      "agentWalletDomain",
      "agentWalletKey",
      "agentWalletKeyHash",
      "agentWalletSetTypehash",
      "agentWalletSetTypes",
      "batchSettlerAbi",
      "batchSettlerBytecode",
      "deployRegistries",
      "erc8004Version",
      "identityRegistryAbi",
      "identityRegistryBytecode",
      "identityRegistryEventTopics",
      "identityRegistryName",
      "identityRegistrySelectors",
      "identityRegistrySymbol",
      "maxAgentWalletDeadlineDelay",
      "registrationType",
      "reputationRegistryAbi",
      "reputationRegistryBytecode",
      "reputationRegistryEventTopics",
      "reputationRegistrySelectors",
      "smartWalletAbi",
      "smartWalletBytecode",
      "testTokenAbi",
      "testTokenBytecode",
      "testUsdcAbi",
      "testUsdcBytecode",
      "validationRegistryAbi",
      "validationRegistryBytecode",
      "validationRegistryEventTopics",
      "validationRegistrySelectors",
    ]
  `)
})
