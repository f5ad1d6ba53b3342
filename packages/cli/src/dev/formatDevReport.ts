import { formatEther, formatTable, formatUsd } from '../output.js'
import type { DevReport } from './runBuyer.js'

/** The report as plain-text tables: calls, balances, feedback. */
export function formatDevReport(report: DevReport): string {
  const calls = formatTable(
    report.calls.map((call) => ({
      call: String(call.call),
      status: call.status === 'refused' ? `refused (${call.refusedBy})` : String(call.status),
      paid: call.amount > 0n ? formatUsd(call.amount) : '-',
      transaction: call.transaction ?? '-',
      gas: call.gasUsed?.toString() ?? '-',
      block: call.blockNumber?.toString() ?? '-',
    })),
  )
  const balances = formatTable(
    report.balances.map((balance) => {
      const format = balance.unit === 'USDC' ? formatUsd : formatEther
      return {
        account: balance.account,
        address: balance.address,
        before: format(balance.before),
        after: format(balance.after),
        change: format(balance.after - balance.before),
      }
    }),
  )
  const { feedback } = report
  const paid = report.calls.filter((call) => call.amount > 0n)
  const total = paid.reduce((sum, call) => sum + call.amount, 0n)
  const gas = paid.reduce((sum, call) => sum + (call.gasUsed ?? 0n), 0n)
  return [
    `Calls to ${report.endpoint} (agent #${report.agentId}, at most ${report.maxPerRequest} a call, budget ${report.budget})`,
    '',
    calls,
    '',
    `${paid.length} paid, ${formatUsd(total)} in total, ${gas} gas for their settlements`,
    '',
    'Balances',
    '',
    balances,
    '',
    'Feedback',
    '',
    formatTable([
      {
        index: String(feedback.feedbackIndex),
        value: `${feedback.value}/100`,
        transaction: feedback.transaction,
        gas: feedback.gasUsed.toString(),
        'cites payment': feedback.proofOfPayment,
      },
    ]),
    '',
    `Reputation of agent #${report.agentId} from this buyer: ${feedback.reputation.count} review${feedback.reputation.count === 1n ? '' : 's'}, average ${feedback.reputation.average}`,
    '',
  ].join('\n')
}
