import {
  createRegistrationFile,
  findAgents,
  getReputationSummary,
  giveFeedback,
  type RegistrationService,
  type ResolvedAgent,
  registerAgent,
  resolveAgent,
} from '@tollgate/identity'
import type { Address, Hash } from 'viem'
import { UsageError } from '../errors.js'
import { type CliIo, type Command, exitCodes } from '../io.js'
import { createOutput, formatTable, type Output, reportError } from '../output.js'
import { type ParsedArgs, parseArgs } from '../parseArgs.js'
import { readAccount } from '../readAccount.js'
import { connect, readRpcUrl, rpcVariable } from '../rpc.js'

const help = `Usage: tollgate agent <register | resolve | find | feedback> [options]

ERC-8004 agent identities from the command line.

  register                 mint an agent id and publish its registration file (on-chain, as a
                           data: URI): --name, --description, --service name=url, --x402
  resolve <agentId>        the agent's owner, verified wallet, services and flags
  find                     scan the registry for agents: --service, --x402, --from-block
  feedback <agentId>       rate an agent: --value (0-100), --tag1, --tag2, --endpoint, and
                           --payment-tx/--pay-to to cite the x402 settlement it is about

Options:
  --rpc <url>              JSON-RPC URL                          env TOLLGATE_RPC_URL
  --registry <address>     the Identity Registry                 env TOLLGATE_IDENTITY_REGISTRY
  --reputation <address>   the Reputation Registry (feedback)    env TOLLGATE_REPUTATION_REGISTRY
  --key-file <file>        the sending key (register, feedback); else env TOLLGATE_PRIVATE_KEY
  --allow-http             read registration files over plain http (local testing)
  --json                   print one JSON document
  -h, --help               show this help

Examples:
  tollgate agent register --name weather --service web=https://weather.example/api --x402 \\
    --rpc http://127.0.0.1:8545 --registry 0x5FbD... --key-file ./owner.key
  tollgate agent resolve 0 --rpc http://127.0.0.1:8545 --registry 0x5FbD...
  tollgate agent find --service web --x402 --json
  tollgate agent feedback 0 --value 95 --tag1 x402 --payment-tx 0xabc... --pay-to 0x3C44...
`

const options = {
  rpc: { type: 'string' },
  registry: { type: 'string' },
  reputation: { type: 'string' },
  'key-file': { type: 'string' },
  'allow-http': { type: 'boolean' },
  name: { type: 'string' },
  description: { type: 'string' },
  service: { type: 'string', multiple: true },
  x402: { type: 'boolean' },
  'from-block': { type: 'string' },
  value: { type: 'string' },
  tag1: { type: 'string' },
  tag2: { type: 'string' },
  endpoint: { type: 'string' },
  'payment-tx': { type: 'string' },
  'pay-to': { type: 'string' },
} as const

type Values = ParsedArgs<typeof options>['values']

const addressPattern = /^0x[0-9a-fA-F]{40}$/

function requireOption(
  value: string | undefined,
  flag: string,
  variable?: string | undefined,
): string {
  if (value === undefined || value === '')
    throw new UsageError({ message: `Missing ${flag}${variable ? ` (or ${variable})` : ''}.` })
  return value
}

function requireAddress(value: string | undefined, flag: string, variable: string): Address {
  const text = requireOption(value, flag, variable)
  if (!addressPattern.test(text))
    throw new UsageError({ message: `Bad ${flag} "${text}": expected an address.` })
  return text as Address
}

/** The Identity Registry: `--registry`, else `TOLLGATE_IDENTITY_REGISTRY`. */
function identityRegistryOf(values: Values, io: CliIo): Address {
  return requireAddress(
    values.registry ?? io.env?.TOLLGATE_IDENTITY_REGISTRY,
    '--registry',
    'TOLLGATE_IDENTITY_REGISTRY',
  )
}

function parseAgentId(text: string | undefined): bigint {
  if (text === undefined) throw new UsageError({ message: 'Missing <agentId>.' })
  if (!/^\d+$/.test(text))
    throw new UsageError({ message: `Bad <agentId> "${text}": expected a whole number.` })
  return BigInt(text)
}

function rpcOf(values: Values, io: CliIo): string {
  return requireOption(readRpcUrl(values.rpc, io.env), '--rpc', rpcVariable)
}

function describeAgent(agent: ResolvedAgent) {
  return {
    agentId: agent.agentId,
    agentRegistry: agent.agentRegistry,
    owner: agent.owner,
    agentWallet: agent.agentWallet ?? null,
    name: agent.file?.name ?? null,
    description: agent.file?.description ?? null,
    x402Support: agent.file?.x402Support ?? false,
    active: agent.file?.active ?? true,
    services: agent.services.map((service) => ({ name: service.name, endpoint: service.endpoint })),
    flags: agent.flags,
  }
}

function formatAgent(agent: ReturnType<typeof describeAgent>): string {
  const raised = Object.entries(agent.flags)
    .filter(([, on]) => on)
    .map(([flag]) => flag)
  return [
    `agent #${agent.agentId} (${agent.agentRegistry})`,
    `  name         ${agent.name ?? '-'}`,
    `  owner        ${agent.owner}`,
    `  wallet       ${agent.agentWallet ?? '- (unset: do not pay it)'}`,
    `  x402         ${agent.x402Support ? 'yes' : 'no'}${agent.active ? '' : ' (inactive)'}`,
    ...agent.services.map((service) => `  service      ${service.name}: ${service.endpoint}`),
    `  flags        ${raised.length ? raised.join(', ') : 'none'}`,
    '',
  ].join('\n')
}

async function register(values: Values, io: CliIo, output: Output): Promise<number> {
  const rpc = rpcOf(values, io)
  const registry = identityRegistryOf(values, io)
  const name = requireOption(values.name, '--name')
  const services: RegistrationService[] = (values.service ?? []).map((text) => {
    const equals = text.indexOf('=')
    if (equals <= 0 || !URL.canParse(text.slice(equals + 1)))
      throw new UsageError({ message: `Bad --service "${text}": expected name=url.` })
    return { name: text.slice(0, equals), endpoint: text.slice(equals + 1) }
  })
  const account = await readAccount(output, {
    keyFile: values['key-file'],
    env: io.env,
    cwd: io.cwd,
  })
  const { walletClient } = await connect(rpc, account)
  output.progress(`registering "${name}" from ${account.address}`)
  const registered = await registerAgent(walletClient!, {
    registry,
    file: createRegistrationFile({
      name,
      description: values.description,
      services,
      x402Support: values.x402 === true,
    }),
    publish: { kind: 'data' },
  })
  const result = {
    agentId: registered.agentId,
    agentRegistry: registered.agentRegistry,
    owner: account.address,
    existing: registered.existing,
    transactions: registered.transactionHashes,
    file: registered.file,
  }
  if (output.json) output.document(result)
  else
    output.stdout(
      [
        `agent #${result.agentId} (${result.agentRegistry})${result.existing ? ': already registered with this file, nothing sent' : ''}`,
        `  owner         ${result.owner}`,
        ...result.transactions.map((hash) => `  transaction   ${hash}`),
        '',
      ].join('\n'),
    )
  return exitCodes.ok
}

async function resolve(
  values: Values,
  positionals: string[],
  io: CliIo,
  output: Output,
): Promise<number> {
  const agentId = parseAgentId(positionals[0])
  const rpc = rpcOf(values, io)
  const registry = identityRegistryOf(values, io)
  const { publicClient } = await connect(rpc)
  const agent = describeAgent(
    await resolveAgent(publicClient, {
      registry,
      agentId,
      fetchOptions: { allowHttp: values['allow-http'] === true },
    }),
  )
  if (output.json) output.document(agent)
  else output.stdout(formatAgent(agent))
  return exitCodes.ok
}

async function find(values: Values, io: CliIo, output: Output): Promise<number> {
  const rpc = rpcOf(values, io)
  const registry = identityRegistryOf(values, io)
  const fromText = values['from-block']
  if (fromText !== undefined && !/^\d+$/.test(fromText))
    throw new UsageError({ message: `Bad --from-block "${fromText}": expected a block number.` })
  const { publicClient } = await connect(rpc)
  const found = await findAgents(publicClient, {
    registry,
    ...(fromText ? { fromBlock: BigInt(fromText) } : {}),
    filter: {
      ...(values.service?.length ? { service: values.service } : {}),
      ...(values.x402 ? { x402Support: true } : {}),
    },
    fetchOptions: { allowHttp: values['allow-http'] === true },
  })
  const agents = found.map((agent) => ({
    agentId: agent.agentId,
    owner: agent.owner,
    agentWallet: agent.agentWallet ?? null,
    name: agent.resolved?.file?.name ?? null,
    services: (agent.resolved?.services ?? []).map((service) => ({
      name: service.name,
      endpoint: service.endpoint,
    })),
    registeredAt: agent.registeredAt,
  }))
  if (output.json) output.document({ agents })
  else if (agents.length === 0) output.stdout('No agent matches.\n')
  else
    output.stdout(
      `${formatTable(
        agents.map((agent) => ({
          agent: `#${agent.agentId}`,
          name: agent.name ?? '-',
          wallet: agent.agentWallet ?? '-',
          services: agent.services
            .map((service) => `${service.name}=${service.endpoint}`)
            .join(' '),
        })),
      )}\n`,
    )
  return exitCodes.ok
}

async function feedback(
  values: Values,
  positionals: string[],
  io: CliIo,
  output: Output,
): Promise<number> {
  const agentId = parseAgentId(positionals[0])
  const rpc = rpcOf(values, io)
  const reputation = requireAddress(
    values.reputation ?? io.env?.TOLLGATE_REPUTATION_REGISTRY,
    '--reputation',
    'TOLLGATE_REPUTATION_REGISTRY',
  )
  const value = requireOption(values.value, '--value')
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > 100)
    throw new UsageError({ message: `Bad --value "${value}": expected a number from 0 to 100.` })
  const paymentTx = values['payment-tx']
  if ((paymentTx === undefined) !== (values['pay-to'] === undefined))
    throw new UsageError({ message: '--payment-tx and --pay-to go together.' })
  if (paymentTx !== undefined && !/^0x[0-9a-fA-F]{64}$/.test(paymentTx))
    throw new UsageError({
      message: `Bad --payment-tx "${paymentTx}": expected a transaction hash.`,
    })
  const payTo =
    values['pay-to'] === undefined ? undefined : requireAddress(values['pay-to'], '--pay-to', '')
  const account = await readAccount(output, {
    keyFile: values['key-file'],
    env: io.env,
    cwd: io.cwd,
  })
  const { publicClient, walletClient, chainId } = await connect(rpc, account)
  output.progress(`feedback ${value}/100 on agent #${agentId} from ${account.address}`)
  const given = await giveFeedback(walletClient!, {
    registry: reputation,
    agentId,
    value,
    tag1: values.tag1,
    tag2: values.tag2,
    endpoint: values.endpoint,
    ...(paymentTx && payTo
      ? {
          feedback: {
            proofOfPayment: {
              fromAddress: account.address,
              toAddress: payTo,
              chainId,
              txHash: paymentTx as Hash,
            },
          },
        }
      : {}),
  })
  const summary = await getReputationSummary(publicClient, {
    registry: reputation,
    agentId,
    clients: [account.address],
    ...(values.tag1 ? { tag1: values.tag1 } : {}),
  })
  const result = {
    agentId,
    feedbackIndex: given.feedbackIndex,
    value,
    transaction: given.transactionHash,
    proofOfPayment: paymentTx ?? null,
    reputation: { count: summary.count, average: summary.average },
  }
  if (output.json) output.document(result)
  else
    output.stdout(
      [
        `feedback #${result.feedbackIndex} on agent #${agentId}: ${value}/100`,
        `  transaction   ${result.transaction}`,
        `  cites         ${result.proofOfPayment ?? '-'}`,
        `  reputation    ${summary.count} review${summary.count === 1n ? '' : 's'} from ${account.address}, average ${summary.average}`,
        '',
      ].join('\n'),
    )
  return exitCodes.ok
}

/** `tollgate agent register | resolve | find | feedback`. */
export async function runAgent(argv: readonly string[], io: CliIo): Promise<number> {
  const output = createOutput(io, { json: argv.includes('--json') })
  try {
    const { values, positionals } = parseArgs(argv, options)
    const [action, ...rest] = positionals
    if (values.help || action === 'help') {
      output.stdout(help)
      return exitCodes.ok
    }
    switch (action) {
      case 'register':
        return await register(values, io, output)
      case 'resolve':
        return await resolve(values, rest, io, output)
      case 'find':
        return await find(values, io, output)
      case 'feedback':
        return await feedback(values, rest, io, output)
      case undefined:
        throw new UsageError({
          message: 'Missing the action: register, resolve, find or feedback.',
          hint: 'Run tollgate agent --help for usage.',
        })
      default:
        throw new UsageError({
          message: `Unknown action "${action}": register, resolve, find or feedback.`,
        })
    }
  } catch (error) {
    return reportError(output, 'agent', error)
  }
}

export const agentCommand: Command = {
  name: 'agent',
  summary: 'ERC-8004 identities: register, resolve, find agents, give feedback',
  run: runAgent,
}
