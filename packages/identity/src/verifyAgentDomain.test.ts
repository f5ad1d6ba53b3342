import { registrationType } from '@tollgate/contracts'
import { listen } from '@tollgate/test'
import { afterAll, describe, expect, test } from 'vitest'
import { toDataUri } from './fetchDocument.js'
import { verifyAgentDomain } from './verifyAgentDomain.js'

const agentRegistry = 'eip155:31337:0x5FbDB2315678afecb367f032d93F642f64180aa3'
const servers: Awaited<ReturnType<typeof listen>>[] = []
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()))
})

/** A host serving `wellKnown` (or nothing) at the `.well-known` path; counts the requests. */
async function host(wellKnown: string | undefined) {
  const hits: string[] = []
  const server = await listen((req, res) => {
    hits.push(req.url ?? '')
    if (req.url === '/.well-known/agent-registration.json' && wellKnown !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' })
      return void res.end(wellKnown)
    }
    res.writeHead(404)
    res.end()
  })
  servers.push(server)
  return { url: server.url, hits }
}

const agent = { agentId: 7n, agentRegistry, agentURI: toDataUri('{}') }
const http = { allowHttp: true } as const

describe('verifyAgentDomain', () => {
  test('passes when the host lists the registration', async () => {
    const site = await host(
      JSON.stringify({
        registrations: [
          { agentId: 3, agentRegistry },
          { agentId: '7', agentRegistry: agentRegistry.toLowerCase() },
        ],
      }),
    )
    const result = await verifyAgentDomain({
      agent,
      endpoint: `${site.url}/api/report`,
      fetchOptions: http,
    })
    expect(result).toEqual({
      verified: true,
      method: 'well-known',
      host: new URL(site.url).host,
      url: `${site.url}/.well-known/agent-registration.json`,
    })
    expect(site.hits).toEqual(['/.well-known/agent-registration.json'])
  })

  test('a full registration file works too', async () => {
    const site = await host(
      JSON.stringify({
        type: registrationType,
        name: 'full',
        services: [],
        registrations: [{ agentId: 7, agentRegistry }],
      }),
    )
    expect(
      (await verifyAgentDomain({ agent, endpoint: site.url, fetchOptions: http })).verified,
    ).toBe(true)
  })

  test('fails on another id or another registry', async () => {
    const otherId = await host(JSON.stringify({ registrations: [{ agentId: 8, agentRegistry }] }))
    expect(
      await verifyAgentDomain({ agent, endpoint: otherId.url, fetchOptions: http }),
    ).toMatchObject({
      verified: false,
      reason: 'mismatch',
    })
    const otherRegistry = await host(
      JSON.stringify({
        registrations: [{ agentId: 7, agentRegistry: agentRegistry.replace('31337', '8453') }],
      }),
    )
    expect(
      await verifyAgentDomain({ agent, endpoint: otherRegistry.url, fetchOptions: http }),
    ).toMatchObject({ verified: false, reason: 'mismatch' })
  })

  test('skipped when the same host serves the agent URI', async () => {
    const site = await host(undefined)
    const result = await verifyAgentDomain({
      agent: { ...agent, agentURI: `${site.url}/agent.json` },
      endpoint: `${site.url}/api`,
      fetchOptions: http,
    })
    expect(result).toMatchObject({ verified: true, method: 'agent-uri-host' })
    expect(site.hits).toEqual([])
    // Another port is another host: checked, and here it fails.
    const other = await host(undefined)
    expect(
      await verifyAgentDomain({
        agent: { ...agent, agentURI: `${site.url}/agent.json` },
        endpoint: `${other.url}/api`,
        fetchOptions: http,
      }),
    ).toMatchObject({ verified: false, reason: 'unreachable' })
  })

  test('unreachable, invalid, insecure', async () => {
    const missing = await host(undefined)
    const unreachable = await verifyAgentDomain({
      agent,
      endpoint: missing.url,
      fetchOptions: http,
    })
    expect(unreachable).toMatchObject({ verified: false, reason: 'unreachable' })
    expect(unreachable.verified === false && unreachable.error?.status).toBe(404)

    for (const body of ['not json', '{"registrations":{}}', '[]']) {
      const site = await host(body)
      expect(
        await verifyAgentDomain({ agent, endpoint: site.url, fetchOptions: http }),
      ).toMatchObject({ verified: false, reason: 'invalid' })
    }
    const site = await host(JSON.stringify({ registrations: [{ agentId: 7, agentRegistry }] }))
    expect(await verifyAgentDomain({ agent, endpoint: site.url })).toMatchObject({
      verified: false,
      reason: 'scheme',
    })
    expect(site.hits).toEqual([])
  })
})
