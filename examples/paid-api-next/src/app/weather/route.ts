// #region weather
import { paid } from '../../lib/paywall'

export const GET = paid(
  () => Response.json({ city: 'Lisbon', sky: 'clear', celsius: 21 }),
  ({ token, config }) => ({
    name: 'GET /weather', // how hooks and logs name it
    price: '$0.01',
    network: token.network,
    asset: token.address,
    payTo: config.payTo,
    description: 'The weather now',
  }),
)
// #endregion weather
