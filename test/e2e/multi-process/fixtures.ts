import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import {
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http'
import { fileURLToPath } from 'node:url'
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@tollgate/core'
import { createPaymentPayload, eip3009Abi } from '@tollgate/evm'
import { type DevnetHandle, listen } from '@tollgate/test'
import { type Address, erc20Abi, type LocalAccount } from 'viem'
import type { ApiConfig, ApiMessage } from './api.js'

// The parts of the multi-process tests: API processes (api.ts) started and killed for real, a
// round-robin proxy in front of them, plain HTTP requests, and what the chain says was paid.

const root = fileURLToPath(new URL('../../..', import.meta.url))
const script = fileURLToPath(new URL('./api.ts', import.meta.url))

/** A running API process. */
export type Api = {
  name: string
  url: string
  child: ChildProcess
  /** Holds (or stops holding) every settlement until `release()`. */
  hold(on: boolean): void
  /** Resolves when a held settlement is waiting. */
  settling(): Promise<void>
  /** Lets the oldest held settlement go. */
  release(): void
  /** `kill -9`; resolves once the process is gone. */
  kill(): Promise<void>
}

/** Starts api.ts with `config`; resolves once it listens. */
export async function startApi(config: ApiConfig): Promise<Api> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: root,
    env: { ...process.env, API_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  })
  let stderr = ''
  child.stderr?.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4_000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const settlings: (() => void)[] = []
  let waiting = 0
  child.on('message', (message: ApiMessage) => {
    if (message.type !== 'settling') return
    const next = settlings.shift()
    if (next) next()
    else waiting++
  })
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (message: ApiMessage) => {
      if (message.type === 'listening') resolve(message.port)
    })
    child.once('exit', (code) =>
      reject(new Error(`api ${config.name} exited (${code}): ${stderr}`)),
    )
  })
  return {
    name: config.name,
    url: `http://127.0.0.1:${port}`,
    child,
    hold: (on) => child.send({ type: 'hold', on } satisfies ApiMessage),
    settling: () => {
      if (waiting > 0) {
        waiting--
        return Promise.resolve()
      }
      return new Promise((resolve) => settlings.push(resolve))
    },
    release: () => child.send({ type: 'release' } satisfies ApiMessage),
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      await exited
    },
  }
}

/** Which process ran the handler, one line per run, in order. */
export function handlerRuns(runsFile: string): string[] {
  if (!existsSync(runsFile)) return []
  return readFileSync(runsFile, 'utf8').split('\n').filter(Boolean)
}

/** A plain HTTP answer. */
export type Answer = { status: number; headers: IncomingHttpHeaders; body: string }

/** A GET on a fresh connection (no keep-alive: a killed process leaves no stale socket). */
export function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers, agent: false }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk) => {
        body += chunk
      })
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
      )
      response.on('error', reject)
    })
    request.on('error', reject)
    request.end()
  })
}

/**
 * A round-robin reverse proxy on loopback, as a load balancer in front of API processes: each
 * request goes to the next upstream; one that refuses the connection (a dead process) is skipped
 * for the next, as a balancer's passive health check does. The Host header is kept.
 */
export async function startProxy(upstreams: readonly string[]) {
  let next = 0
  const forward = (req: IncomingMessage, res: ServerResponse, tries: number) => {
    const target = upstreams[next++ % upstreams.length]!
    const upstream = httpRequest(
      `${target}${req.url ?? '/'}`,
      { method: req.method, headers: req.headers, agent: false },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers)
        response.pipe(res)
      },
    )
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED' && tries + 1 < upstreams.length)
        return forward(req, res, tries + 1)
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    upstream.end()
  }
  return listen((req, res) => forward(req, res, 0))
}

/** A v2 payment for the route at `url` (challenged there), with a payment identifier. */
export async function signPayment(
  url: string,
  { payer, id }: { payer: LocalAccount; id: string },
): Promise<string> {
  const challenge = await get(url)
  const header = challenge.headers['payment-required']
  if (challenge.status !== 402 || typeof header !== 'string')
    throw new Error(`no challenge at ${url}: ${challenge.status} ${challenge.body}`)
  const payload = await createPaymentPayload(payer, {
    paymentRequired: decodePaymentRequiredHeader(header),
    extensions: { 'payment-identifier': { info: { required: false, id } } },
  })
  return encodePaymentSignatureHeader(payload)
}

/** The payer's authorizations used on chain since `fromBlock`: one per transfer settled. */
export async function authorizationsUsed(
  devnet: DevnetHandle,
  { payer, fromBlock }: { payer: Address; fromBlock: bigint },
) {
  const logs = await devnet.publicClient.getContractEvents({
    address: devnet.usdc.address,
    abi: eip3009Abi,
    eventName: 'AuthorizationUsed',
    args: { authorizer: payer },
    fromBlock,
  })
  return logs.length
}

export function balanceOf(devnet: DevnetHandle, address: Address): Promise<bigint> {
  return devnet.publicClient.readContract({
    address: devnet.usdc.address,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [address],
  })
}

/** The config of API process `name` on `devnet`, settling from `operator`. */
export function apiConfig(
  devnet: DevnetHandle,
  {
    name,
    operator,
    payTo,
    runsFile,
    redisUrl,
  }: {
    name: string
    operator: { privateKey: `0x${string}` }
    payTo: Address
    runsFile: string
    redisUrl?: string | undefined
  },
): ApiConfig {
  return {
    name,
    rpcUrl: devnet.rpcUrl,
    chainId: devnet.chainId,
    asset: { address: devnet.usdc.address, name: devnet.usdc.name, version: devnet.usdc.version },
    payTo,
    operatorKey: operator.privateKey,
    runsFile,
    redisUrl,
  }
}
