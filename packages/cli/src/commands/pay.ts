import { resolve } from 'node:path'
import {
  formatMoney,
  getEvmChainId,
  type ParsePaymentRequiredResponseReturnType,
  type PaymentRequirements,
  parseMoney,
  parsePaymentRequiredResponse,
  requirementsFromV1,
} from '@tollgate/core'
import { type Asset, getAsset } from '@tollgate/evm'
import { getReceipt, PolicyRefusedError, type Receipt, wrapFetch } from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import { UsageError } from '../errors.js'
import { type CliIo, type Command, exitCodes } from '../io.js'
import { createOutput, formatTable, type Output, reportError } from '../output.js'
import { parseArgs } from '../parseArgs.js'
import { readAccount } from '../readAccount.js'

const help = `Usage: tollgate pay <url> [options]

Pays for one request to an x402 API, as a person testing it: sends the request, reads the 402's
requirements, signs a payment within --max and sends the request again with it. The response
body goes to stdout, then the receipt (amount, payee, settlement transaction); progress to stderr.

Options:
  --key-file <file>     the paying key (hex); else env TOLLGATE_PRIVATE_KEY
  --max <amount>        the most this request may cost, e.g. '$0.10' (default $0.10)
  -X, --method <m>      the HTTP method (default GET, POST with -d)
  -H, --header <h>      a request header, 'Name: value'; repeatable
  -d, --data <body>     the request body
  --asset <address>     accept a token outside the built-in USDC registry (a devnet's test
                        USDC): its EIP-712 domain is read from the 402, 6 decimals; repeatable
  --dry-run             show the decoded requirements and stop: no key needed, nothing signed
  --receipts <file>     append the receipt to this JSON Lines file
  --json                print one JSON document: { status, body, receipt } or the requirements
  -h, --help            show this help

Exit codes: 0 a response below 400, 1 a refusal, a failure or a response of 400 or more,
2 bad usage or a missing key.

Examples:
  tollgate pay https://api.example.com/report --dry-run
  tollgate pay https://api.example.com/report --key-file ./agent.key --max '$0.05'
  TOLLGATE_PRIVATE_KEY=0x... tollgate pay https://api.example.com/search -X POST \\
    -H 'content-type: application/json' -d '{"q":"weather"}' --receipts receipts.jsonl --json
`

const options = {
  'key-file': { type: 'string' },
  max: { type: 'string' },
  method: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  asset: { type: 'string', multiple: true },
  'dry-run': { type: 'boolean' },
  receipts: { type: 'string' },
} as const

/** One payment option of a 402, the same for both protocol versions. */
export type Requirement = {
  scheme: string
  network: string
  /** Atomic units of `asset`. */
  amount: bigint
  /** The amount in whole units, when the token's decimals are known. */
  price: string | undefined
  asset: string
  payTo: string
  maxTimeoutSeconds: number
  extra: Record<string, unknown> | null | undefined
}

/** The 402's payment options in v2 shape: a v1 challenge's are converted (CAIP-2 network). */
function toAccepts(challenge: ParsePaymentRequiredResponseReturnType): PaymentRequirements[] {
  return challenge.x402Version === 1
    ? challenge.paymentRequired.accepts.map(requirementsFromV1)
    : challenge.paymentRequired.accepts
}

function toRequirements(
  accepts: readonly PaymentRequirements[],
  known: readonly Asset[],
): Requirement[] {
  return accepts.map((accept) => {
    const amount = BigInt(accept.amount)
    const { network, asset } = accept
    const token =
      getAsset({ network, address: asset }) ?? getAsset({ network, address: asset, assets: known })
    return {
      scheme: accept.scheme,
      network,
      amount,
      price: token
        ? formatMoney(amount, { decimals: token.decimals, symbol: token.symbol })
        : undefined,
      asset,
      payTo: accept.payTo,
      maxTimeoutSeconds: accept.maxTimeoutSeconds,
      extra: accept.extra,
    }
  })
}

/** The EVM chain id of a network, or `undefined` outside `eip155`. */
function evmChainId(network: string): number | undefined {
  try {
    return getEvmChainId(network)
  } catch {
    return undefined
  }
}

/** Tokens named by `--asset`, with the EIP-712 domain the 402 gives for them. */
function extraAssets(
  addresses: readonly string[],
  accepts: readonly PaymentRequirements[],
): Asset[] {
  const result: Asset[] = []
  for (const address of addresses) {
    for (const accept of accepts) {
      if (accept.asset.toLowerCase() !== address.toLowerCase()) continue
      const chainId = evmChainId(accept.network)
      const name = accept.extra?.name
      const version = accept.extra?.version
      if (chainId === undefined || typeof name !== 'string' || typeof version !== 'string') continue
      result.push({
        chainId,
        network: `eip155:${chainId}`,
        address: accept.asset as `0x${string}`,
        symbol: 'USDC',
        decimals: 6,
        eip712: { name, version },
      })
    }
  }
  return result
}

function parseHeaders(lines: readonly string[]): Headers {
  const headers = new Headers()
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw new UsageError(`Bad header "${line}": expected 'Name: value'.`)
    try {
      headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
    } catch {
      throw new UsageError(`Bad header "${line}": not a valid HTTP header.`)
    }
  }
  return headers
}

function parseUrl(text: string | undefined): URL {
  if (text === undefined)
    throw new UsageError('Missing <url>.', { hint: 'Usage: tollgate pay <url> [options]' })
  if (!URL.canParse(text)) throw new UsageError(`Bad URL "${text}".`)
  const url = new URL(text)
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`Bad URL "${text}": only http: and https: can be paid.`)
  return url
}

function toReceiptJson(receipt: Receipt) {
  return {
    id: receipt.id,
    status: receipt.status,
    disputed: receipt.disputed ?? null,
    url: receipt.url,
    method: receipt.method,
    x402Version: receipt.x402Version,
    network: receipt.network,
    asset: receipt.asset,
    amount: receipt.amount,
    payTo: receipt.payTo,
    transaction: receipt.transaction ?? null,
  }
}

function formatRequirements(requirements: readonly Requirement[]): string {
  return formatTable(
    requirements.map((requirement, index) => ({
      option: String(index + 1),
      scheme: requirement.scheme,
      network: requirement.network,
      price: requirement.price ?? `${requirement.amount} (atomic)`,
      asset: requirement.asset,
      payTo: requirement.payTo,
    })),
  )
}

async function pay(argv: readonly string[], io: CliIo, output: Output): Promise<number> {
  const { values, positionals } = parseArgs(argv, options)
  if (values.help) {
    output.stdout(help)
    return exitCodes.ok
  }
  if (positionals.length > 1) throw new UsageError(`Expected one URL, got ${positionals.length}.`)
  const url = parseUrl(positionals[0])
  const max = values.max ?? '$0.10'
  try {
    parseMoney(max, { decimals: 18 })
  } catch {
    throw new UsageError(`Bad --max "${max}": expected an amount such as '$0.10'.`)
  }
  const headers = parseHeaders(values.header ?? [])
  const method = (values.method ?? (values.data === undefined ? 'GET' : 'POST')).toUpperCase()
  const init = (): RequestInit => ({
    method,
    headers,
    ...(values.data === undefined ? {} : { body: values.data }),
  })

  output.progress(`${method} ${url.href}`)
  const probe = await fetch(url, init())
  if (probe.status !== 402) {
    const body = await probe.text()
    output.progress(`${probe.status}: no payment asked, nothing paid`)
    if (output.json)
      output.document({ status: probe.status, body, requirements: null, receipt: null })
    else output.stdout(body.endsWith('\n') || body === '' ? body : `${body}\n`)
    return probe.status < 400 ? exitCodes.ok : exitCodes.failure
  }
  // wrapFetch starts with the unpaid request: it is answered with this 402 instead of sent again.
  let unpaid: Response | undefined = probe.clone()
  const challenge = parsePaymentRequiredResponse({
    header: probe.headers.get('payment-required'),
    body: await probe.text(),
  })
  const accepts = toAccepts(challenge)
  const assets = extraAssets(values.asset ?? [], accepts)
  const requirements = toRequirements(accepts, assets)
  output.progress(
    `402: x402 v${challenge.x402Version}, ${requirements.length} option${requirements.length === 1 ? '' : 's'}`,
  )

  if (values['dry-run']) {
    if (output.json)
      output.document({
        url: url.href,
        x402Version: challenge.x402Version,
        requirements,
        dryRun: true,
      })
    else output.stdout(`${formatRequirements(requirements)}\n\nDry run: nothing signed.\n`)
    return exitCodes.ok
  }

  const account = await readAccount(output, {
    keyFile: values['key-file'],
    env: io.env,
    cwd: io.cwd,
  })
  output.progress(`paying from ${account.address}, at most ${max}`)
  const replayFirst: typeof fetch = (input, requestInit) => {
    const response = unpaid
    unpaid = undefined
    return response ? Promise.resolve(response) : fetch(input, requestInit)
  }
  const paying = wrapFetch(replayFirst, {
    account,
    assets,
    ...(values.receipts
      ? { receipts: createFileReceiptLog(resolve(io.cwd ?? process.cwd(), values.receipts)) }
      : {}),
    policy: {
      maxPerRequest: max,
      // One request from a person: no running budget, no learnt prices, no rate limit.
      budgets: [],
      learnPrices: false,
      rateLimit: null,
    },
  })
  let response: Response
  try {
    response = await paying(url, init())
  } catch (error) {
    if (error instanceof PolicyRefusedError)
      output.progress('refused: nothing signed, nothing paid')
    throw error
  }
  const body = await response.text()
  const receipt = getReceipt(response)
  output.progress(
    `${response.status}${receipt ? `: ${receipt.status}${receipt.transaction ? ` in ${receipt.transaction}` : ''}` : ''}`,
  )
  if (output.json)
    output.document({
      status: response.status,
      body,
      receipt: receipt ? toReceiptJson(receipt) : null,
    })
  else {
    output.stdout(body.endsWith('\n') || body === '' ? body : `${body}\n`)
    if (receipt) {
      const paid = requirements.find(
        (requirement) =>
          requirement.asset.toLowerCase() === receipt.asset.toLowerCase() &&
          requirement.amount === receipt.amount,
      )
      output.stdout(
        [
          '',
          'Receipt',
          `  status       ${receipt.status}${receipt.disputed ? ` (disputed: ${receipt.disputed})` : ''}`,
          `  paid         ${paid?.price ?? `${receipt.amount} (atomic)`} on ${receipt.network}`,
          `  to           ${receipt.payTo}`,
          `  asset        ${receipt.asset}`,
          `  transaction  ${receipt.transaction ?? '-'}`,
          `  id           ${receipt.id}`,
          '',
        ].join('\n'),
      )
    }
  }
  return response.status < 400 ? exitCodes.ok : exitCodes.failure
}

/** `tollgate pay <url>`: pays for one request and prints the response and the receipt. */
export async function runPay(argv: readonly string[], io: CliIo): Promise<number> {
  const output = createOutput(io, { json: argv.includes('--json') })
  try {
    return await pay(argv, io, output)
  } catch (error) {
    return reportError(output, 'pay', error)
  }
}

export const payCommand: Command = {
  name: 'pay',
  summary: 'pay for one request to an x402 API and print the response and the receipt',
  run: runPay,
}
