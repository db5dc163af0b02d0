import { Type } from 'typebox';
import { EVENT_TYPES } from '../events/catalog.ts';
import { ENDPOINT_URL_LENGTH_MAX } from './url-guard.ts';

/** Bodies are bounded by the schema first; the service checks meaning (URL, event names) and answers 400. */
const DESCRIPTION_SCHEMA_MAX = 10_000;
const EVENTS_SCHEMA_MAX = 200;

export const EndpointSchema = Type.Object({
  id: Type.String({ description: 'we_…' }),
  url: Type.String(),
  events: Type.Array(Type.String(), { description: `Event types it receives; empty: every type except wallet.debited. Known: ${EVENT_TYPES.join(', ')}` }),
  tenantId: Type.Union([Type.String(), Type.Null()], { description: 'Null: every tenant (operator endpoints only)' }),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  disabledReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const EndpointWithSecretSchema = Type.Intersect([
  EndpointSchema,
  Type.Object({ secret: Type.String({ description: 'whsec_…: shown once; verify signatures with it (Standard Webhooks)' }) }),
]);

export const EndpointListSchema = Type.Object({ data: Type.Array(EndpointSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

const urlField = Type.String({ maxLength: ENDPOINT_URL_LENGTH_MAX * 2 });
const eventsField = Type.Array(Type.String({ maxLength: 100 }), { maxItems: EVENTS_SCHEMA_MAX });
const descriptionField = Type.String({ maxLength: DESCRIPTION_SCHEMA_MAX });

export const CreateTenantEndpointBody = Type.Object(
  { url: urlField, events: Type.Optional(eventsField), description: Type.Optional(descriptionField) },
  { additionalProperties: false },
);

export const CreateAdminEndpointBody = Type.Object(
  { url: urlField, events: Type.Optional(eventsField), description: Type.Optional(descriptionField), tenantId: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);

export const PatchEndpointBody = Type.Object(
  { url: Type.Optional(urlField), events: Type.Optional(eventsField), enabled: Type.Optional(Type.Boolean()), description: Type.Optional(Type.Union([descriptionField, Type.Null()])) },
  { additionalProperties: false },
);

export const EndpointParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const PageQuery = Type.Object({ limit: Type.Optional(Type.String({ maxLength: 10 })), cursor: Type.Optional(Type.String({ maxLength: 64 })) });
export const AdminPageQuery = Type.Object({
  limit: Type.Optional(Type.String({ maxLength: 10 })), cursor: Type.Optional(Type.String({ maxLength: 64 })), tenantId: Type.Optional(Type.String({ maxLength: 64 })),
});

export const DeliveryListSchema = Type.Object({
  data: Type.Array(Type.Object({
    id: Type.String(), eventId: Type.String(), eventType: Type.String(), endpointId: Type.String(),
    state: Type.String({ enum: ['pending', 'delivered', 'failed'] }), attempts: Type.Number(),
    nextAttemptAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]), lastStatus: Type.Union([Type.Number(), Type.Null()]),
    lastError: Type.Union([Type.String(), Type.Null()]), createdAt: Type.String({ format: 'date-time' }), deliveredAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  })),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const DeletedSchema = Type.Object({ id: Type.String(), deleted: Type.Literal(true) });
export const TestSentSchema = Type.Object({ eventId: Type.String(), deliveryId: Type.String() });
