import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../../src/testing/harness.ts';
import { signRequest } from '../../src/auth/signature.ts';
import { type PurseClient, PurseApiError, createPurseClient, newIdempotencyKey, unwrap } from '../src/index.ts';
import { signatureOf } from '../src/signing.ts';

/**
 * The SDK against a real Purse listening on a real port (the database PURSE_TEST_DATABASE_URL names):
 * the operator sets up a tenant with the admin key, the tenant's key reads and debits the wallet.
 */
describe('the TypeScript SDK against a running Purse', () => {
  let purse: TestPurse;
  let baseUrl: string;
  let operator: PurseClient;
  let tenantId: string;
  let tenant: PurseClient;
  let tenantKey: { id: string; secret: string };

  beforeAll(async () => {
    purse = await startTestPurse();
    baseUrl = await purse.app.listen({ host: '127.0.0.1', port: 0 });
    operator = createPurseClient({ baseUrl, adminKey: TEST_SECRETS.adminKey });
    const created = await unwrap(operator.POST('/v1/admin/tenants', { body: { name: 'Acme', currency: 'BRL' } }));
    tenantId = created.id;
    const key = await unwrap(operator.POST('/v1/admin/tenants/{tenantId}/keys', { params: { path: { tenantId } }, body: { scope: 'tenant' } }));
    tenant = createPurseClient({ baseUrl, apiKey: key.secret });
    tenantKey = { id: key.id, secret: key.secret };
    await unwrap(operator.POST('/v1/admin/tenants/{tenantId}/adjustments', { params: { path: { tenantId } }, body: { amount: '10', reason: 'opening credit' } }));
  });
  afterAll(() => purse.close());

  it('reads the wallet with the tenant key', async () => {
    const { data, error, response } = await tenant.GET('/v1/billing/wallet');
    expect(error).toBeUndefined();
    expect(response.status).toBe(200);
    expect(data).toEqual({ currency: 'BRL', balance: 10, held: 0, available: 10, autoTopup: null, expiring: null });
  });

  it('debits usage once per Idempotency-Key: the replay returns the same transaction and the ledger holds one', async () => {
    const idempotencyKey = newIdempotencyKey();
    const debit = () => tenant.POST('/v1/billing/usage', {
      params: { header: { 'idempotency-key': idempotencyKey } },
      body: { amount: '0.25', description: '5 SMS' },
    });
    const first = await debit();
    expect(first.response.status).toBe(201);
    expect(first.data?.wallet.balance).toBe(9.75);

    const replay = await debit();
    expect(replay.response.status).toBe(200);
    expect(replay.data?.transaction).toEqual(first.data?.transaction);
    expect(replay.data?.wallet.balance).toBe(9.75);

    const history = await unwrap(tenant.GET('/v1/billing/transactions'));
    const usage = history.data.filter((t) => t.kind === 'usage');
    expect(usage).toHaveLength(1);
    expect(usage[0]?.reference).toBe(`usage:${tenantId}:${idempotencyKey}`);
    expect((await unwrap(tenant.GET('/v1/billing/wallet'))).balance).toBe(9.75);
  });

  it('answers 409 IDEMPOTENCY_KEY_REUSED, typed, for the same key with another body, and moves nothing', async () => {
    const idempotencyKey = newIdempotencyKey();
    await unwrap(tenant.POST('/v1/billing/usage', { params: { header: { 'idempotency-key': idempotencyKey } }, body: { amount: '1' } }));
    const { data, error, response } = await tenant.POST('/v1/billing/usage', { params: { header: { 'idempotency-key': idempotencyKey } }, body: { amount: '2' } });
    expect(data).toBeUndefined();
    expect(response.status).toBe(409);
    expect(error?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    // The error's type lists this route's own codes (checked by `npm run typecheck`).
    type UsageErrorCode = NonNullable<typeof error>['code'];
    const reused: UsageErrorCode = 'IDEMPOTENCY_KEY_REUSED';
    // @ts-expect-error -- a hold's code is not one the usage route answers
    const holdCode: UsageErrorCode = 'HOLD_NOT_ACTIVE';
    expect([reused, holdCode]).toHaveLength(2);
    expect((await unwrap(tenant.GET('/v1/billing/wallet'))).balance).toBe(8.75);
  });

  it('gives a bad request a typed error body, and unwrap throws it as a PurseApiError', async () => {
    const bad = await tenant.POST('/v1/billing/usage', { params: { header: { 'idempotency-key': newIdempotencyKey() } }, body: { amount: 'a lot' } });
    expect(bad.response.status).toBe(400);
    expect(bad.error).toMatchObject({ code: 'AMOUNT_INVALID', details: [{ field: 'amount' }] });

    const missingKey = tenant.POST('/v1/billing/usage', { body: { amount: '1' } });
    await expect(unwrap(missingKey)).rejects.toMatchObject({ name: 'PurseApiError', status: 400, code: 'IDEMPOTENCY_KEY_REQUIRED' });
    const overdraw = unwrap(tenant.POST('/v1/billing/usage', { params: { header: { 'idempotency-key': newIdempotencyKey() } }, body: { amount: '1000' } }));
    await expect(overdraw).rejects.toBeInstanceOf(PurseApiError);
    await expect(overdraw).rejects.toMatchObject({ status: 402, code: 'INSUFFICIENT_FUNDS' });
  });

  it('is refused with 401 UNAUTHORIZED with a wrong key, and cannot see another tenant', async () => {
    const stranger = createPurseClient({ baseUrl, apiKey: 'ps_not_a_real_key' });
    const refused = await stranger.GET('/v1/billing/wallet');
    expect(refused.response.status).toBe(401);
    expect(refused.error?.code).toBe('UNAUTHORIZED');

    const other = await unwrap(operator.POST('/v1/admin/tenants', { body: { name: 'Other', currency: 'USD' } }));
    const otherKey = await unwrap(operator.POST('/v1/admin/tenants/{tenantId}/keys', { params: { path: { tenantId: other.id } }, body: { scope: 'tenant' } }));
    const otherTenant = createPurseClient({ baseUrl, apiKey: otherKey.secret });
    expect(await unwrap(otherTenant.GET('/v1/billing/wallet'))).toMatchObject({ currency: 'USD', balance: 0 });
    expect((await unwrap(otherTenant.GET('/v1/billing/transactions'))).data).toEqual([]);
  });

  describe('signed requests (x-api-key-id, x-timestamp, x-signature)', () => {
    it('signs exactly as Purse verifies (same HMAC for the same request)', async () => {
      const body = new Uint8Array(Buffer.from('{"amount":"0.25"}'));
      const ours = await signatureOf('ps_secret', '1764640000', 'post', '/v1/billing/usage?x=1', body);
      expect(ours).toBe(signRequest('ps_secret', '1764640000', 'POST', '/v1/billing/usage?x=1', Buffer.from(body)));
    });

    it('reads and debits without sending the secret; two equal debits in the same second both go through', async () => {
      const seen: Request[] = [];
      const signed = createPurseClient({
        baseUrl, signingKey: { keyId: tenantKey.id, secret: tenantKey.secret },
        fetch: (request) => {
          seen.push(request.clone());
          return fetch(request);
        },
      });
      const before = await unwrap(signed.GET('/v1/billing/wallet'));
      const debit = () => signed.POST('/v1/billing/usage', { params: { header: { 'idempotency-key': newIdempotencyKey() } }, body: { amount: '0.10' } });
      const [first, second] = await Promise.all([debit(), debit()]);
      expect([first.response.status, second.response.status]).toEqual([201, 201]);
      expect(first.data?.transaction.id).not.toBe(second.data?.transaction.id);
      expect((await unwrap(signed.GET('/v1/billing/wallet'))).balance).toBe(Math.round(before.balance * 100 - 20) / 100);
      expect(seen.every((r) => r.headers.get('x-api-key') === null && r.headers.get('x-api-key-id') === tenantKey.id)).toBe(true);
      expect(seen.map((r) => r.headers.get('x-signature')).join()).not.toContain(tenantKey.secret);
    });

    it('is refused with 401 UNAUTHORIZED when signed with the wrong secret', async () => {
      const forged = createPurseClient({ baseUrl, signingKey: { keyId: tenantKey.id, secret: 'ps_wrong_secret' } });
      const { error, response } = await forged.GET('/v1/billing/wallet');
      expect(response.status).toBe(401);
      expect(error?.code).toBe('UNAUTHORIZED');
    });
  });
});
