export {
  type Currency,
  FUNDS_CODES,
  NON_CURRENCY_CODES,
  getCurrency,
  isSupportedCurrency,
  supportedCurrencies,
} from './currency';
export {
  MAX_INTEGER_DIGITS,
  MAX_MINOR_UNITS,
  Money,
  type MoneyJson,
  type MoneyParseOptions,
  sumMoney,
} from './money';
export { MoneyError, MoneyErrorCode, isMoneyError } from './money.error';
