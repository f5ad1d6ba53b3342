import { describe, expect, test } from 'vitest'
import { resolveAgentOption } from '../agent.js'
import { agentRegistrationResponse } from './wellKnown.js'

const agentRegistry = 'eip155:84532:0x8004A818BFB912233c491871b3d84c89A494BD9e'

describe('agentRegistrationResponse', () => {
  test('the response is public JSON; HEAD has the headers and no body', async () => {
    const agent = resolveAgentOption({ agentRegistry, agentId: 3n })
    const get = await agentRegistrationResponse(agent, { method: 'GET', cors: true })
    expect(get).toEqual({
      status: 200,
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(get.body as string)),
        'Cache-Control': 'public, max-age=300',
        'Access-Control-Allow-Origin': '*',
      },
      body: JSON.stringify({ registrations: [{ agentId: 3, agentRegistry }] }),
    })
    const head = await agentRegistrationResponse(agent, { method: 'HEAD', cors: false })
    expect(head.body).toBe('')
    expect(head.headers['Content-Length']).toBe(get.headers['Content-Length'])
    expect(head.headers['Access-Control-Allow-Origin']).toBeUndefined()
  })
})
