import { formatDevReport } from '../dev/formatDevReport.js'
import { runBuyer } from '../dev/runBuyer.js'
import { type DevStack, startDevStack } from '../dev/startDevStack.js'
import { InterruptedError } from '../errors.js'
import { type CliIo, type Command, exitCodes } from '../io.js'
import { createOutput, reportError } from '../output.js'
import { parseArgs } from '../parseArgs.js'
import { waitForAbort } from '../waitForAbort.js'

const help = `Usage: tollgate dev [--a2a] [--keep] [--json]

Runs the whole system on a local devnet, in one command: anvil with test USDC, the ERC-8004
registries, a facilitator on SQLite (a temporary file) served over HTTP, a seller agent (a paid
API registered in the identity registry) and a buyer agent that finds it, checks its domain and
wallet, pays several calls within a budget (the last one refused by the budget, unsigned) and
leaves feedback citing a settlement transaction.

Progress goes to stderr, the report (calls, amounts, transactions, gas, balances, feedback) to
stdout. Everything started is stopped and the temporary directory removed before it exits.

Options:
  --a2a         the same loop over A2A: the seller is an A2A agent whose registration lists its
                agent card, and each call is a task of its paid skill, paid inside the task
                (the a2a-x402 extension)
  --keep        keep the devnet, facilitator and seller running after the report, print their
                URLs, contract addresses and the devnet's test keys, and stop on Ctrl-C
  --json        print one JSON document instead of the tables
  -h, --help    show this help

Examples:
  tollgate dev
  tollgate dev --json | jq '.calls'
  tollgate dev --a2a
  tollgate dev --keep     # then, in another shell: tollgate pay <seller URL> ...
`

/** What `--keep` prints: enough for other tools to use the running system. */
function describeStack(stack: DevStack) {
  return {
    rpcUrl: stack.devnet.rpcUrl,
    chainId: stack.devnet.chainId,
    facilitatorUrl: stack.facilitatorUrl,
    sellerUrl: stack.sellerUrl,
    endpoint: stack.endpoint,
    contracts: {
      usdc: stack.devnet.usdc.address,
      identityRegistry: stack.registries.identityRegistry,
      reputationRegistry: stack.registries.reputationRegistry,
      validationRegistry: stack.registries.validationRegistry,
    },
    // Anvil's well-known test mnemonic: these keys are public and hold nothing off the devnet.
    testAccounts: {
      buyer: { address: stack.buyer.address, privateKey: stack.buyer.privateKey },
      seller: { address: stack.seller.address, privateKey: stack.seller.privateKey },
      settler: { address: stack.settler.address, privateKey: stack.settler.privateKey },
    },
  }
}

function formatKeep(info: ReturnType<typeof describeStack>): string {
  return [
    'Running (Ctrl-C to stop):',
    `  devnet       ${info.rpcUrl} (chain ${info.chainId})`,
    `  facilitator  ${info.facilitatorUrl}`,
    `  seller       ${info.endpoint}`,
    '',
    'Environment for other tools (test keys of the public anvil mnemonic, devnet only):',
    `  export TOLLGATE_RPC_URL=${info.rpcUrl}`,
    `  export TOLLGATE_IDENTITY_REGISTRY=${info.contracts.identityRegistry}`,
    `  export TOLLGATE_REPUTATION_REGISTRY=${info.contracts.reputationRegistry}`,
    `  export TOLLGATE_USDC=${info.contracts.usdc}`,
    `  export TOLLGATE_PRIVATE_KEY=${info.testAccounts.buyer.privateKey}   # the buyer`,
    '',
    'Test accounts:',
    ...Object.entries(info.testAccounts).map(
      ([role, account]) => `  ${role.padEnd(8)} ${account.address}  ${account.privateKey}`,
    ),
    '',
  ].join('\n')
}

/** `tollgate dev`: the whole system on a devnet, end to end. */
export async function runDev(argv: readonly string[], io: CliIo): Promise<number> {
  let json = argv.includes('--json')
  let output = createOutput(io, { json })
  let stack: DevStack | undefined
  try {
    const { values } = parseArgs(
      argv,
      { keep: { type: 'boolean' }, a2a: { type: 'boolean' } },
      { positionals: false },
    )
    json = values.json === true
    output = createOutput(io, { json })
    if (values.help) {
      output.stdout(help)
      return exitCodes.ok
    }
    stack = await startDevStack({ progress: output.progress, a2a: values.a2a === true })
    // Ctrl-C during the run stops the stack at once; the step in progress then fails.
    const started = stack
    const interrupt = () => void started.close()
    io.signal?.addEventListener('abort', interrupt, { once: true })
    if (io.signal?.aborted) interrupt()
    const report = await runBuyer(stack, {
      progress: output.progress,
      a2a: values.a2a === true,
    }).catch((error) => {
      throw io.signal?.aborted ? new InterruptedError({ cause: error }) : error
    })
    io.signal?.removeEventListener('abort', interrupt)
    const kept = values.keep ? describeStack(stack) : undefined
    if (json) output.document({ ...report, ...(kept ? { running: kept } : {}) })
    else output.stdout(`\n${formatDevReport(report)}`)
    if (kept) {
      if (!json) output.stdout(`\n${formatKeep(kept)}`)
      await waitForAbort(io.signal)
      output.progress('stopping')
    }
    return exitCodes.ok
  } catch (error) {
    return reportError(output, 'dev', error)
  } finally {
    await stack?.close()
  }
}

export const devCommand: Command = {
  name: 'dev',
  summary: 'the whole system on a local devnet: facilitator, seller and buyer agents',
  run: runDev,
}
