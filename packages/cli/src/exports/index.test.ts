import { expect, test } from 'vitest'
import * as exports from './index.js'

test('exports', () => {
  expect(Object.keys(exports).sort()).toMatchInlineSnapshot(`
    [
      "ConfigError",
      "KeyError",
      "UsageError",
      "commands",
      "exitCodes",
      "facilitatorConfigSchema",
      "loadFacilitatorConfig",
      "loadMcpConfig",
      "mcpConfigSchema",
      "run",
      "runAgent",
      "runDev",
      "runFacilitator",
      "runMcp",
      "runPay",
      "version",
    ]
  `)
})
