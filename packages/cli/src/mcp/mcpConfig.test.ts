import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { ConfigError } from '../errors.js'
import { loadMcpConfig } from './mcpConfig.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-mcp-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('flags over TOLLGATE_* variables over the file; paths in the file resolve from its directory', async () => {
  const file = join(dir, 'mcp.json')
  writeFileSync(
    file,
    JSON.stringify({
      keyFile: 'agent.key',
      maxPerCall: '$0.20',
      budget: { limit: '$5', windowMs: 3_600_000 },
      port: 4000,
      allowHttp: true,
    }),
  )
  const config = await loadMcpConfig({
    flags: { config: 'mcp.json', 'max-per-call': '$0.05' },
    env: { TOLLGATE_MAX_PER_CALL: '$0.10', TOLLGATE_BUDGET: '$2', TOLLGATE_MCP_PORT: '0' },
    cwd: dir,
  })
  expect(config).toEqual({
    keyFile: join(dir, 'agent.key'),
    maxPerCall: '$0.05',
    budget: { limit: '$2', windowMs: 3_600_000 },
    assets: [],
    allowHttp: true,
    transport: 'stdio',
    port: 0,
    host: '127.0.0.1',
  })
})

test('defaults: $0.10 a call, $1 a day, stdio', async () => {
  expect(await loadMcpConfig({ flags: {}, env: {}, cwd: dir })).toMatchObject({
    maxPerCall: '$0.10',
    budget: { limit: '$1', windowMs: 86_400_000 },
    transport: 'stdio',
  })
})

test('every problem at once, each with its key', async () => {
  const error = await loadMcpConfig({
    flags: { 'max-per-call': '-1', rpc: 'ftp://x', registry: '0x12' },
    env: { TOLLGATE_BUDGET_WINDOW_MS: 'soon' },
    cwd: dir,
  }).catch((caught: unknown) => caught)
  expect(error).toBeInstanceOf(ConfigError)
  const paths = (error as ConfigError).issues.map((issue) => issue.path).sort()
  expect(paths).toEqual(['budget.windowMs', 'identityRegistry', 'maxPerCall', 'rpcUrl'])
})

test('a window alone keeps the default limit', async () => {
  const config = await loadMcpConfig({ flags: { 'budget-window-ms': '60000' }, cwd: dir })
  expect(config.budget).toEqual({ limit: '$1', windowMs: 60_000 })
})
