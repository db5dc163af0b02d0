import type { Address, Metadata, PresentmentDetails } from './types.ts';

export interface CustomerDetails {
  address: Address | null;
  email: string | null;
  name: string | null;
  phone: string | null;
  tax_exempt: 'none';
  tax_ids: [];
}

export interface CheckoutSession {
  id: string;
  object: 'checkout.session';
  adaptive_pricing: { enabled: boolean } | null;
  after_expiration: null;
  allow_promotion_codes: null;
  allowed_payment_method_types: string[] | null;
  amount_subtotal: number | null;
  amount_total: number | null;
  automatic_tax: {
    enabled: boolean;
    liability: null;
    provider: 'stripe' | null;
    status: 'complete' | 'requires_location_inputs' | null;
  };
  billing_address_collection: 'auto' | 'required' | null;
  cancel_url: string | null;
  client_reference_id: string | null;
  client_secret: null;
  consent: null;
  consent_collection: null;
  created: number;
  currency: string | null;
  currency_conversion: null;
  custom_fields: [];
  customer: string | null;
  customer_creation: 'if_required' | null;
  customer_details: CustomerDetails | null;
  customer_email: string | null;
  discounts: [];
  expires_at: number;
  invoice: null;
  invoice_creation: null;
  livemode: false;
  locale: string | null;
  metadata: Metadata;
  mode: 'payment' | 'setup';
  payment_intent: string | null;
  payment_link: null;
  payment_method_collection: 'always' | 'if_required' | null;
  payment_method_types: string[];
  payment_status: 'paid' | 'unpaid' | 'no_payment_required';
  presentment_details?: PresentmentDetails;
  recovered_from: null;
  setup_intent: string | null;
  shipping_address_collection: null;
  shipping_cost: null;
  shipping_options: [];
  status: 'open' | 'complete' | 'expired';
  submit_type: null;
  subscription: null;
  success_url: string | null;
  total_details: { amount_discount: number; amount_shipping: number; amount_tax: number } | null;
  ui_mode: 'hosted';
  url: string | null;
  wallet_options: null;
}

export interface LineItemInput {
  id: string;
  priceId: string;
  productId: string;
  name: string;
  description: string | null;
  currency: string;
  unitAmountMinor: number;
  quantity: number;
}

/** What the sandbox remembers about a session beyond its wire shape. */
export interface SessionRecord {
  session: CheckoutSession;
  lineItems: LineItemInput[];
  pageUrl: string;
  paymentIntentData: { metadata: Metadata; description: string | null; setupFutureUsage: 'on_session' | 'off_session' | null };
  setupIntentData: { metadata: Metadata; description: string | null };
  saveAddressToCustomer: boolean;
}
