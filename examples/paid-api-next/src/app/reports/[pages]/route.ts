// #region reports
import { paid } from '../../../lib/paywall'

type Context = { params: Promise<{ pages: string }> }

const report = paid(
  async (_request: Request, { params }: Context) => {
    const pages = Number((await params).pages)
    return Response.json({
      pages: Array.from({ length: pages }, (_, page) => `page ${page + 1} of ${pages}`),
    })
  },
  ({ token, config }) => ({
    name: 'GET /reports/:pages',
    // `request.params` are Next's route params: $0.01 a page, in atomic units (a bigint).
    price: (request) => 10n ** BigInt(token.decimals - 2) * BigInt(request.params.pages ?? '1'),
    network: token.network,
    asset: token.address,
    payTo: config.payTo,
    description: 'A report, priced by its length',
  }),
)

// A malformed page count is refused before the paywall, so nobody pays for a 400.
export async function GET(request: Request, context: Context): Promise<Response> {
  if (!/^([1-9]|10)$/.test((await context.params).pages))
    return Response.json({ error: 'pages must be 1 to 10' }, { status: 400 })
  return report(request, context)
}
// #endregion reports
