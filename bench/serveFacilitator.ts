// CPU per /verify of serveFacilitator: a facilitator answered straight on node:http (what
// `serveFacilitator(facilitator)` does) beside the same facilitator through Web Request/Response
// (`serveFacilitator({ fetch: facilitator.fetch })`, which hides the Node handler), and a floor:
// a bare node:http server answering the same bytes. Everything runs in this process (clients,
// server, facilitator); anvil is only asked at start-up: the payment's signature is not even
// hex, so /verify answers `isValid: false` without an RPC call.
//
//   TSX_TSCONFIG_PATH=tsconfig.json node --import tsx bench/serveFacilitator.ts [requests] [rounds]
import { Agent, createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { startDevnet } from '@tollgate/contracts/devnet'
import { createPaymentPayload } from '@tollgate/evm'
import { createFacilitator, createSqliteLedger, serveFacilitator } from '@tollgate/facilitator'

const requests = Number(process.argv[2] ?? 20_000)
const rounds = Number(process.argv[3] ?? 2)
const concurrency = 16
const warmup = 2_000

type Target = { name: string; url: string; close(): Promise<void> }

/** Posts `body` to `url` `count` times from `concurrency` keep-alive clients; checks each answer. */
async function load(url: string, body: string, count: number, expected: string): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }
  let left = count
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(`${url}/verify`, { method: 'POST', headers, agent }, (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          text += chunk
        })
        res.on('end', () =>
          text === expected ? resolve() : reject(new Error(`unexpected answer ${text}`)),
        )
      })
      req.on('error', reject)
      req.end(body)
    })
  const client = async () => {
    while (left-- > 0) await post()
  }
  await Promise.all(Array.from({ length: concurrency }, client))
  agent.destroy()
}

/** A bare node:http server that reads the body and answers `answer`: the floor of any server. */
async function serveFloor(answer: string): Promise<Target> {
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(answer),
      })
      res.end(answer)
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    name: 'floor (bare node:http)',
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

async function measure(target: Target, body: string, expected: string) {
  await load(target.url, body, warmup, expected)
  const cpu = process.cpuUsage()
  const started = performance.now()
  await load(target.url, body, requests, expected)
  const seconds = (performance.now() - started) / 1000
  const used = process.cpuUsage(cpu)
  const line = [
    target.name.padEnd(34),
    `${((used.user + used.system) / requests).toFixed(0).padStart(6)} µs CPU/req`,
    `${(requests / seconds).toFixed(0).padStart(7)} req/s`,
  ]
  process.stdout.write(`${line.join('  ')}\n`)
}

async function main() {
  await using devnet = await startDevnet({ accounts: 2 })
  const ledger = await createSqliteLedger(':memory:')
  const facilitator = createFacilitator({
    ledger,
    chains: [{ chainId: devnet.chainId, rpcUrls: [devnet.rpcUrl], assets: [devnet.usdc] }],
    signers: [devnet.accounts[1]!.account],
  })
  await facilitator.start()
  const requirements = {
    scheme: 'exact',
    network: devnet.network,
    amount: '1000',
    asset: devnet.usdc.address,
    payTo: devnet.accounts[1]!.address,
    maxTimeoutSeconds: 300,
    extra: { name: devnet.usdc.name, version: devnet.usdc.version },
  } as const
  const payload = await createPaymentPayload(devnet.accounts[0]!.account, {
    requirements,
    resource: { url: 'http://127.0.0.1/resource' },
  })
  const unsigned = { ...payload, payload: { ...payload.payload, signature: '0xnot-hex' } }
  const body = JSON.stringify({ paymentPayload: unsigned, paymentRequirements: requirements })
  const probe = await facilitator.fetch(
    new Request('http://facilitator/verify', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    }),
  )
  const expected = await probe.text()
  process.stdout.write(
    `/verify answers ${probe.status} ${expected}\n${requests} requests a run, ${concurrency} keep-alive clients, ${warmup} warm-up; CPU of this whole process (clients, server, facilitator)\n\n`,
  )
  const node = await serveFacilitator(facilitator, { port: 0 })
  const web = await serveFacilitator({ fetch: facilitator.fetch }, { port: 0 })
  const targets: Target[] = [
    { name: 'Web Request/Response ({ fetch })', url: web.url, close: web.close },
    { name: 'node:http (facilitator)', url: node.url, close: node.close },
    await serveFloor(expected),
  ]
  try {
    for (let round = 1; round <= rounds; round++) {
      process.stdout.write(`round ${round}\n`)
      for (const target of targets) await measure(target, body, expected)
    }
  } finally {
    for (const target of targets) await target.close()
    await facilitator.close()
    await ledger.close()
  }
}

await main()
