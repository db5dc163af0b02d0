/**
 * The hosted pages in the browser's language, as Stripe's own Checkout is (issue 24): text in English or
 * Brazilian Portuguese (the seeds' two markets), numbers and money in whatever locale the browser names
 * that Intl knows (de-DE writes "1.358,02 R$"). Self-contained: the sandbox imports nothing of Purse's i18n.
 */
const en = {
  lang: 'en',
  checkoutTitle: 'Checkout · Stripe sandbox',
  saveCardTitle: 'Save card · Stripe sandbox',
  testMode: 'Test mode · Stripe sandbox',
  completePayment: 'Complete your payment',
  saveCardHeading: 'Save a card for future payments',
  account: 'Account:',
  setupIntro: 'Your card will be saved for later payments. You are not charged now.',
  orderSummary: 'Order summary',
  subtotal: 'Subtotal',
  tax: 'Tax',
  taxFor: (percent: string, country: string) => `Tax (${percent} · ${country})`,
  taxUnknown: 'Calculated from your billing country',
  totalDue: 'Total due',
  youPayIn: (currency: string) => `You pay in ${currency}`,
  merchantCharged: (amount: string) => `The merchant is charged ${amount}; the conversion uses the sandbox's fixed rates.`,
  pay: (amount: string) => `Pay ${amount}`,
  payPlusTax: (amount: string) => `Pay ${amount} + tax`,
  saveCard: 'Save card',
  updateTotal: 'Update total',
  required: ' (required)',
  email: 'Email',
  paymentMethod: 'Payment method',
  methodCard: 'Card',
  methodDelayed: 'Delayed payment (bank transfer or voucher; settles later)',
  cardDetails: 'Card details',
  cardNumber: 'Card number',
  cardExpiry: 'Expiry date (MM / YY)',
  cardCvc: 'Security code (CVC)',
  cardName: 'Name on card',
  checkCardNumber: 'Check the card number:',
  billingAddress: 'Billing address',
  line1: 'Address line 1',
  line2: 'Address line 2',
  city: 'City',
  state: 'State or region',
  postalCode: 'Postal code',
  country: 'Country',
  selectCountry: 'Select a country',
  payInCurrency: 'Pay in currency',
  cancel: 'Cancel and return to the merchant',
  declineNext: 'Nothing was charged. Try another card, or ask your bank why it declined the payment and try again.',
  declineBack: 'Go back to the merchant without paying',
  totalChanged: 'The total changed (tax for your billing country). Nothing was charged: check the new total and press Pay again.',
  testCards: 'Test cards',
  testCardLines: [
    '4242 4242 4242 4242: succeeds', '4000 0000 0000 0002: declined',
    '4000 0025 0000 3155: asks for authentication here; once saved, later off-session charges pass',
    '4000 0027 6000 3184: asks for authentication every time', 'Any future expiry date and any 3-digit CVC.',
  ],
  /** Stripe's card error messages by code (decline code first), as Checkout shows them; unknown codes keep Stripe's text. */
  errors: {} as Record<string, string>,
  challengeTitle: 'Authenticate · Stripe sandbox',
  challengeHeading: 'Confirm it\'s you',
  challengeWhatPayment: (amount: string) => `a payment of ${amount}`,
  challengeWhatSetup: 'saving your card for future payments',
  challengeText: (what: string, last4: string) => `Your bank needs you to authenticate ${what} with the card ending in ${last4}.`,
  challengeNote: 'Test mode: choose the outcome of the 3D Secure check.',
  challengeComplete: 'Complete authentication',
  challengeFail: 'Fail authentication',
  closedCardSaved: 'Card saved',
  closedPaid: 'Payment complete',
  closedProcessing: 'Payment processing',
  closedExpired: 'This checkout session has expired',
  closedCompleteText: 'This checkout session is complete; it cannot be paid again.',
  closedExpiredText: 'The time to pay has run out. Start again from the merchant to get a new checkout link.',
  returnToMerchant: 'Return to the merchant',
  notFoundTitle: 'Not found · Stripe sandbox',
  notFoundHeading: 'Checkout session not found',
  notFoundText: 'Check the link, or ask the merchant for a new one.',
};

export type Words = typeof en;

const ptBR: Words = {
  lang: 'pt-BR',
  checkoutTitle: 'Pagamento · Stripe sandbox',
  saveCardTitle: 'Salvar cartão · Stripe sandbox',
  testMode: 'Modo de teste · Stripe sandbox',
  completePayment: 'Conclua o seu pagamento',
  saveCardHeading: 'Salve um cartão para pagamentos futuros',
  account: 'Conta:',
  setupIntro: 'Seu cartão será salvo para pagamentos futuros. Nada é cobrado agora.',
  orderSummary: 'Resumo do pedido',
  subtotal: 'Subtotal',
  tax: 'Impostos',
  taxFor: (percent: string, country: string) => `Impostos (${percent} · ${country})`,
  taxUnknown: 'Calculados a partir do seu país de cobrança',
  totalDue: 'Total a pagar',
  youPayIn: (currency: string) => `Você paga em ${currency}`,
  merchantCharged: (amount: string) => `O vendedor recebe ${amount}; a conversão usa as taxas fixas do sandbox.`,
  pay: (amount: string) => `Pagar ${amount}`,
  payPlusTax: (amount: string) => `Pagar ${amount} + impostos`,
  saveCard: 'Salvar cartão',
  updateTotal: 'Atualizar total',
  required: ' (obrigatório)',
  email: 'E-mail',
  paymentMethod: 'Forma de pagamento',
  methodCard: 'Cartão',
  methodDelayed: 'Pagamento posterior (transferência ou boleto; compensa depois)',
  cardDetails: 'Dados do cartão',
  cardNumber: 'Número do cartão',
  cardExpiry: 'Validade (MM / AA)',
  cardCvc: 'Código de segurança (CVC)',
  cardName: 'Nome no cartão',
  checkCardNumber: 'Confira o número do cartão:',
  billingAddress: 'Endereço de cobrança',
  line1: 'Endereço, linha 1',
  line2: 'Endereço, linha 2',
  city: 'Cidade',
  state: 'Estado ou região',
  postalCode: 'CEP',
  country: 'País',
  selectCountry: 'Selecione um país',
  payInCurrency: 'Pagar na moeda',
  cancel: 'Cancelar e voltar ao vendedor',
  declineNext: 'Nada foi cobrado. Tente outro cartão ou pergunte ao seu banco por que o pagamento foi recusado e tente de novo.',
  declineBack: 'Voltar ao vendedor sem pagar',
  totalChanged: 'O total mudou (impostos do seu país de cobrança). Nada foi cobrado: confira o novo total e clique em Pagar de novo.',
  testCards: 'Cartões de teste',
  testCardLines: [
    '4242 4242 4242 4242: aprovado', '4000 0000 0000 0002: recusado',
    '4000 0025 0000 3155: pede autenticação aqui; depois de salvo, cobranças posteriores passam',
    '4000 0027 6000 3184: pede autenticação sempre', 'Qualquer validade futura e qualquer CVC de 3 dígitos.',
  ],
  errors: {
    generic_decline: 'Seu cartão foi recusado.',
    insufficient_funds: 'Seu cartão não tem saldo suficiente.',
    card_declined: 'Seu cartão foi recusado.',
    incorrect_number: 'O número do cartão está incorreto.',
    invalid_number: 'O número do cartão não é válido.',
    incomplete_number: 'O número do cartão está incompleto.',
    incomplete_expiry: 'A validade do cartão está incompleta.',
    invalid_expiry_year: 'A validade do cartão já passou.',
    incomplete_cvc: 'O código de segurança do cartão está incompleto.',
    authentication_failed: 'Não conseguimos autenticar sua forma de pagamento. Escolha outra forma de pagamento e tente de novo.',
    setup_intent_authentication_failure: 'Não conseguimos autenticar sua forma de pagamento. Escolha outra forma de pagamento e tente de novo.',
    payment_intent_authentication_failure: 'Não conseguimos autenticar sua forma de pagamento. Escolha outra forma de pagamento e tente de novo.',
  },
  challengeTitle: 'Autenticação · Stripe sandbox',
  challengeHeading: 'Confirme que é você',
  challengeWhatPayment: (amount: string) => `um pagamento de ${amount}`,
  challengeWhatSetup: 'o salvamento do seu cartão para pagamentos futuros',
  challengeText: (what: string, last4: string) => `Seu banco precisa que você autentique ${what} com o cartão terminado em ${last4}.`,
  challengeNote: 'Modo de teste: escolha o resultado da verificação 3D Secure.',
  challengeComplete: 'Concluir autenticação',
  challengeFail: 'Falhar autenticação',
  closedCardSaved: 'Cartão salvo',
  closedPaid: 'Pagamento concluído',
  closedProcessing: 'Pagamento em processamento',
  closedExpired: 'Esta sessão de pagamento expirou',
  closedCompleteText: 'Esta sessão de pagamento foi concluída; não pode ser paga de novo.',
  closedExpiredText: 'O prazo para pagar acabou. Volte ao vendedor para obter um novo link de pagamento.',
  returnToMerchant: 'Voltar ao vendedor',
  notFoundTitle: 'Não encontrado · Stripe sandbox',
  notFoundHeading: 'Sessão de pagamento não encontrada',
  notFoundText: 'Confira o link ou peça um novo ao vendedor.',
};

/** What one request's page is written in: the words and the locale for numbers. */
export interface PageLocale {
  words: Words;
  /** A BCP 47 tag Intl knows, for money and percentages. */
  locale: string;
}

export const DEFAULT_PAGE_LOCALE: PageLocale = { words: en, locale: 'en' };
const ACCEPT_LANGUAGE_ENTRIES_MAX = 20;
const TAG_PATTERN = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** Reads Accept-Language (`pt-BR,pt;q=0.9,en;q=0.8`): the first tag Intl knows sets numbers, the first en/pt the words. */
export function pageLocaleOf(header: string | string[] | undefined): PageLocale {
  const text = Array.isArray(header) ? header.join(',') : header;
  if (!text) return DEFAULT_PAGE_LOCALE;
  const tags = text.split(',').slice(0, ACCEPT_LANGUAGE_ENTRIES_MAX).map((part, index) => {
    const [tag = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
  }).filter((e) => e.q > 0 && TAG_PATTERN.test(e.tag)).sort((a, b) => b.q - a.q || a.index - b.index);
  const language = tags.map((e) => e.tag.toLowerCase()).find((tag) => /^(en|pt)(-|$)/.test(tag));
  const locale = tags.map((e) => Intl.NumberFormat.supportedLocalesOf([e.tag])[0]).find(Boolean) ?? 'en';
  return { words: language?.startsWith('pt') ? ptBR : en, locale };
}

const MONEY_FORMATS = new Map<string, Intl.NumberFormat>();
const MONEY_FORMATS_MAX = 200;
const SHARED_SYMBOLS = ['$', '¥', '￥'];

/**
 * Money for the payer, by Intl in their locale ("R$ 1.358,02", "R$1,358.02", "1.358,02 R$"). Where the locale
 * writes a bare "$" or "¥" (en-US for USD, ja for JPY), which several currencies share, the country letters are
 * put in front ("US$20.00", as pt-BR and Purse's billing page write it), so the amount is never ambiguous.
 */
export function formatMoney(amountMinor: number, currency: string, exponent: number, locale: string): string {
  const code = currency.toUpperCase();
  const key = `${locale}|${code}`;
  let format = MONEY_FORMATS.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency: code, minimumFractionDigits: exponent, maximumFractionDigits: exponent });
    if (MONEY_FORMATS.size >= MONEY_FORMATS_MAX) MONEY_FORMATS.clear();
    MONEY_FORMATS.set(key, format);
  }
  const negative = amountMinor < 0;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  // A decimal string keeps every cent exact (Intl.NumberFormat v3); the lib typing lags behind.
  const value = `${negative ? '-' : ''}${exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`}` as unknown as number;
  return format.formatToParts(value).map((part) => (part.type === 'currency' && SHARED_SYMBOLS.includes(part.value) ? `${code.slice(0, 2)}${part.value}` : part.value)).join('');
}

/** A card error in the page's words: by decline code, then code; Stripe's own text when the page has none. */
export function cardErrorText(words: Words, message: string, code: string | null, declineCode: string | null): string {
  return (declineCode ? words.errors[declineCode] : undefined) ?? (code ? words.errors[code] : undefined) ?? message;
}

export function percent(basisPoints: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }).format(basisPoints / 10_000);
}

export function countryName(code: string, fallback: string, locale: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: 'region' }).of(code) ?? fallback;
  } catch {
    return fallback;
  }
}
