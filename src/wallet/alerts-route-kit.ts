import { Type } from 'typebox';

/** What the two low-balance alert routes share: the answer's shape. */
export const AlertsSchema = Type.Object({
  lowBalance: Type.Union([Type.Number(), Type.Null()], { description: 'Major units; wallet.low_balance fires once each time available falls below it' }),
});
