import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { ConfigError } from '../errors.js'
import { loadFacilitatorConfig, redactDatabaseUrl } from './facilitatorConfig.js'

const dir = mkdtempSync(join(tmpdir(), 'tollgate-cli-config-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const file = join(dir, 'facilitator.json')
writeFileSync(
  file,
  JSON.stringify({
    chains: [
      {
        chainId: 84532,
        rpcUrls: ['https://a.example', 'https://b.example'],
        pollingIntervalMs: 500,
      },
    ],
    keyFile: 'keys/signer.key',
    database: 'sqlite:data/facilitator.db',
    mode: 'submitted',
    batch: { maxSize: 20 },
    port: 4020,
  }),
)

describe('loadFacilitatorConfig', () => {
  test('a file alone: defaults filled in, its relative paths resolved from its directory', async () => {
    expect(await loadFacilitatorConfig({ flags: { config: file }, cwd: '/elsewhere' })).toEqual({
      chains: [
        {
          chainId: 84532,
          rpcUrls: ['https://a.example', 'https://b.example'],
          pollingIntervalMs: 500,
        },
      ],
      keyFile: join(dir, 'keys/signer.key'),
      database: `sqlite:${join(dir, 'data/facilitator.db')}`,
      mode: 'submitted',
      batch: { maxSize: 20 },
      port: 4020,
      host: '127.0.0.1',
    })
  })

  test('variables override the file, flags override both; the chain is merged field by field', async () => {
    const config = await loadFacilitatorConfig({
      flags: {
        mode: 'confirmed',
        rpc: ['http://127.0.0.1:8545'],
        asset: ['0x5FbDB2315678afecb367f032d93F642f64180aa3:USD Coin:2:6'],
        'batch-wait-ms': '50',
      },
      env: {
        TOLLGATE_CONFIG: file,
        TOLLGATE_MODE: 'queued',
        TOLLGATE_PORT: '9000',
        TOLLGATE_API_KEYS: 'key-one-0123456789, key-two-0123456789',
        TOLLGATE_DATABASE_URL: 'postgres://tollgate:pw@db/tollgate',
      },
      cwd: dir,
    })
    expect(config).toMatchObject({
      mode: 'confirmed',
      port: 9000,
      apiKeys: ['key-one-0123456789', 'key-two-0123456789'],
      database: 'postgres://tollgate:pw@db/tollgate',
      batch: { maxSize: 20, maxWaitMs: 50 },
    })
    expect(config.chains).toEqual([
      {
        chainId: 84532,
        rpcUrls: ['http://127.0.0.1:8545'],
        pollingIntervalMs: 500,
        assets: [
          {
            address: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
            name: 'USD Coin',
            version: '2',
            decimals: 6,
            symbol: 'USDC',
          },
        ],
      },
    ])
  })

  test('a file that is not JSON: ConfigError naming the file', async () => {
    const broken = join(dir, 'broken.json')
    writeFileSync(broken, '{ "chains": [')
    const error = await loadFacilitatorConfig({ flags: { config: broken } }).catch((e) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.issues).toHaveLength(1)
    expect(error.issues[0].path).toBe('--config')
    expect(error.issues[0].message).toMatch(/broken\.json is not JSON/)
  })

  test('redactDatabaseUrl hides a password', () => {
    expect(redactDatabaseUrl('postgres://tollgate:s3cret@db:5432/tollgate')).toBe(
      'postgres://tollgate:***@db:5432/tollgate',
    )
    expect(redactDatabaseUrl('sqlite:/var/lib/tollgate.db')).toBe('sqlite:/var/lib/tollgate.db')
  })
})
