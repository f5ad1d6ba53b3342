import { resolve } from 'node:path'
import { parseMoney, parsePaymentRequiredResponse } from '@tollgate/core'
import type { Asset } from '@tollgate/evm'
import { getReceipt, PolicyRefusedError, type Receipt, wrapFetch } from '@tollgate/fetch'
import { createFileReceiptLog } from '@tollgate/fetch/node'
import type { PrivateKeyAccount } from 'viem'
import { UsageError } from '../errors.js'
import { type CliIo, type Command, exitCodes } from '../io.js'
import { createOutput, type Output, reportError } from '../output.js'
import { parseArgs } from '../parseArgs.js'
import { describeOutcome, type PayOutcome } from '../pay/describeOutcome.js'
import { readAssetAddresses, readPayAssets } from '../pay/readPayAssets.js'
import { parseHeaders, parseUrl } from '../pay/request.js'
import {
  formatRequirements,
  type Requirement,
  toAccepts,
  toRequirements,
} from '../pay/requirements.js'
import { readAccount } from '../readAccount.js'
import { type Connection, connect, readRpcUrl } from '../rpc.js'

export type { Requirement } from '../pay/requirements.js'

const help = `Usage: tollgate pay <url> [options]

Pays for one request to an x402 API, as a person testing it: sends the request, reads the 402's
requirements, signs a payment within --max and sends the request again with it. The response
body goes to stdout, then the receipt: whether it was paid (only a settled payment is), the
amount, the payee and the settlement transaction; progress goes to stderr.

Options:
  --key-file <file>     the paying key (hex); else env TOLLGATE_PRIVATE_KEY
  --max <amount>        the most this request may cost, in whole units of the token paid:
                        '$0.10', '0.10' and '1' (one whole token) (default $0.10)
  -X, --method <m>      the HTTP method (default GET, POST with -d)
  -H, --header <h>      a request header, 'Name: value'; repeatable
  -d, --data <body>     the request body
  --asset <address>     accept a token outside the built-in USDC registry (a devnet's test
                        USDC); repeatable; else env TOLLGATE_USDC. Its decimals and EIP-712
                        domain are read on-chain through --rpc
  --rpc <url>           JSON-RPC URL of the chain paid on (else env TOLLGATE_RPC_URL): reads
                        --asset tokens, and checks a refused payment's authorization on-chain
  --allow-http          pay a plain-http host that is not loopback (refused by default: a
                        payment over http can be read and replayed on the way)
  --dry-run             show the decoded requirements and stop: no key needed, nothing signed
  --receipts <file>     append the receipt to this JSON Lines file
  --json                print one JSON document: { status, body, outcome, receipt } or the
                        requirements
  -h, --help            show this help

Exit codes: 0 a response below 400, 1 a refusal, a failure or a response of 400 or more,
2 bad usage or a missing key.

Examples:
  tollgate pay https://api.example.com/report --dry-run
  tollgate pay https://api.example.com/report --key-file ./agent.key --max '$0.05'
  TOLLGATE_PRIVATE_KEY=0x... tollgate pay https://api.example.com/search -X POST \\
    -H 'content-type: application/json' -d '{"q":"weather"}' --receipts receipts.jsonl --json
  tollgate pay http://127.0.0.1:4021/weather   # after tollgate dev --keep and its exports
`

const options = {
  'key-file': { type: 'string' },
  max: { type: 'string' },
  method: { type: 'string', short: 'X' },
  header: { type: 'string', short: 'H', multiple: true },
  data: { type: 'string', short: 'd' },
  asset: { type: 'string', multiple: true },
  rpc: { type: 'string' },
  'allow-http': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  receipts: { type: 'string' },
} as const

/** `--max`: an amount in whole units (checked at the finest scale a token has). */
function readMax(text: string | undefined): string {
  const max = text ?? '$0.10'
  try {
    parseMoney(max, { decimals: 18 })
  } catch (cause) {
    throw new UsageError({
      message: `Bad --max "${max}": expected an amount in whole units such as '$0.10' or '1'.`,
      hint: `${(cause as Error).message.split('\n')[0]}`,
    })
  }
  return max
}

function bodyText(body: string): string {
  return body.endsWith('\n') || body === '' ? body : `${body}\n`
}

/** What the command was asked to do, parsed before anything is sent. */
type PayRequest = {
  url: URL
  method: string
  init(): RequestInit
  max: string
  values: ReturnType<typeof parseArgs<typeof options>>['values']
}

function readRequest(argv: readonly string[]): PayRequest | undefined {
  const { values, positionals } = parseArgs(argv, options)
  if (values.help) return undefined
  if (positionals.length > 1)
    throw new UsageError({ message: `Expected one URL, got ${positionals.length}.` })
  const url = parseUrl(positionals[0])
  const max = readMax(values.max)
  const headers = parseHeaders(values.header ?? [])
  const method = (values.method ?? (values.data === undefined ? 'GET' : 'POST')).toUpperCase()
  const init = (): RequestInit => ({
    method,
    headers,
    ...(values.data === undefined ? {} : { body: values.data }),
  })
  return { url, method, init, max, values }
}

async function pay(argv: readonly string[], io: CliIo, output: Output): Promise<number> {
  const request = readRequest(argv)
  if (!request) {
    output.stdout(help)
    return exitCodes.ok
  }
  const { url, method, values } = request
  // Read before anything is sent: a bad --asset or --rpc is a usage error, not a failed request.
  const addresses = readAssetAddresses(values.asset, io.env)
  const rpc = readRpcUrl(values.rpc, io.env)

  output.progress(`${method} ${url.href}`)
  const probe = await fetch(url, request.init())
  if (probe.status !== 402) return passThrough(probe, output)
  // wrapFetch starts with the unpaid request: it is answered with this 402 instead of sent again.
  const unpaid = probe.clone()
  const challenge = parsePaymentRequiredResponse({
    header: probe.headers.get('payment-required'),
    body: await probe.text(),
  })
  const accepts = toAccepts(challenge)
  const reached =
    rpc === undefined
      ? undefined
      : await connect(rpc).catch((unreachable: unknown) => ({ unreachable }))
  const assets = await readPayAssets({ addresses, accepts, connection: reached })
  // Past this point an unreachable RPC only costs the on-chain check of a refusal.
  const connection = reached && 'unreachable' in reached ? undefined : reached
  if (reached && !connection)
    output.progress('--rpc unreachable: a refused payment cannot be checked on-chain')
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
  output.progress(`paying from ${account.address}, at most ${request.max}`)
  const response = await payOnce(request, { account, assets, connection, unpaid, io, output })
  return reportPaid(response, { requirements, canCheckChain: connection !== undefined, output })
}

/** A first answer that asks for no payment: shown as it is, nothing paid. */
async function passThrough(response: Response, output: Output): Promise<number> {
  const body = await response.text()
  output.progress(`${response.status}: no payment asked, nothing paid`)
  if (output.json)
    output.document({ status: response.status, body, requirements: null, receipt: null })
  else output.stdout(bodyText(body))
  return response.status < 400 ? exitCodes.ok : exitCodes.failure
}

/** Pays the 402 once with a paying fetch whose first call is answered by that 402. */
async function payOnce(
  request: PayRequest,
  {
    account,
    assets,
    connection,
    unpaid,
    io,
    output,
  }: {
    account: PrivateKeyAccount
    assets: readonly Asset[]
    connection: Connection | undefined
    unpaid: Response
    io: CliIo
    output: Output
  },
): Promise<Response> {
  let replay: Response | undefined = unpaid
  const replayFirst: typeof fetch = (input, init) => {
    const response = replay
    replay = undefined
    return response ? Promise.resolve(response) : fetch(input, init)
  }
  const receipts = request.values.receipts
  const paying = wrapFetch(replayFirst, {
    account,
    assets,
    ...(receipts
      ? { receipts: createFileReceiptLog(resolve(io.cwd ?? process.cwd(), receipts)) }
      : {}),
    // The RPC's chain proves a refused payment's authorization unspent (else it stays unknown).
    ...(connection
      ? { reconcile: { chains: { [connection.network]: connection.publicClient } } }
      : {}),
    policy: {
      maxPerRequest: request.max,
      // One request from a person: no running budget, no learnt prices, no rate limit.
      budgets: [],
      learnPrices: false,
      rateLimit: null,
      allowHttp: request.values['allow-http'] === true,
    },
  })
  try {
    return await paying(request.url, request.init())
  } catch (error) {
    if (error instanceof PolicyRefusedError) {
      output.progress('refused: nothing signed, nothing paid')
      const flag = flagOf[error.option ?? '']
      if (flag) output.progress(`${flag} changes this rule`)
    }
    throw error
  }
}

/** The flag of `tollgate pay` that sets a policy option a refusal names. */
const flagOf: Readonly<Record<string, string>> = {
  allowHttp: '--allow-http',
  maxPerRequest: '--max',
}

/** The x402 `error` of a 402 answer, if it carries a readable one. */
function serverErrorOf(response: Response, body: string): string | undefined {
  if (response.status !== 402) return undefined
  try {
    const { paymentRequired } = parsePaymentRequiredResponse({
      header: response.headers.get('payment-required'),
      body,
    })
    return paymentRequired.error || undefined
  } catch {
    return undefined
  }
}

/** Prints the paid request's answer and what the payment came to. */
async function reportPaid(
  response: Response,
  {
    requirements,
    canCheckChain,
    output,
  }: {
    requirements: readonly Requirement[]
    canCheckChain: boolean
    output: Output
  },
): Promise<number> {
  const body = await response.text()
  const receipt = getReceipt(response)
  const outcome = receipt
    ? describeOutcome(receipt, { serverError: serverErrorOf(response, body), canCheckChain })
    : undefined
  output.progress(`${response.status}${outcome ? `: ${outcome.message}` : ''}`)
  if (output.json)
    output.document({
      status: response.status,
      body,
      outcome: outcome
        ? {
            ...outcome,
            reason: outcome.reason ?? null,
            spendableUntil: outcome.spendableUntil ?? null,
          }
        : null,
      receipt: receipt ? toReceiptJson(receipt) : null,
    })
  else {
    output.stdout(bodyText(body))
    if (receipt && outcome)
      output.stdout(formatReceipt(receipt, outcome, priceOf(receipt, requirements)))
  }
  return response.status < 400 ? exitCodes.ok : exitCodes.failure
}

/** The receipt's amount in whole units when its token is known, else in atomic units. */
function priceOf(receipt: Receipt, requirements: readonly Requirement[]): string {
  const offered = requirements.find(
    (requirement) =>
      requirement.asset.toLowerCase() === receipt.asset.toLowerCase() &&
      requirement.amount === receipt.amount,
  )
  return offered?.price ?? `${receipt.amount} (atomic)`
}

function formatReceipt(receipt: Receipt, outcome: PayOutcome, price: string): string {
  const charged = outcome.paid
    ? ''
    : outcome.status === 'refused'
      ? ' (not charged)'
      : ' (may be charged)'
  return [
    '',
    'Receipt',
    `  outcome      ${outcome.message}`,
    `  status       ${receipt.status}${receipt.disputed && receipt.status !== 'refused' ? ` (disputed: ${receipt.disputed})` : ''}`,
    `  amount       ${price} on ${receipt.network}${charged}`,
    `  to           ${receipt.payTo}`,
    `  asset        ${receipt.asset}`,
    `  transaction  ${receipt.transaction ?? '-'}`,
    `  id           ${receipt.id}`,
    '',
  ].join('\n')
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
