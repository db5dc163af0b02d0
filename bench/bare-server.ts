import Fastify from 'fastify';

/**
 * The framework baseline: Fastify with nothing of Purse's — no auth, no database, no schema — answering a
 * JSON POST the size of a usage debit with a JSON body the size of its answer. Run as its own process,
 * like Purse, so both pay for the same HTTP stack on the same machine.
 */
const port = Number(process.env.PORT ?? '0');
const app = Fastify({ logger: false });

app.post('/bare', async (request, reply) => {
  const body = request.body as { amount?: unknown };
  return reply.status(201).send({ ok: true, amount: body?.amount ?? null, at: Date.now() });
});
app.get('/bare', async () => ({ ok: true }));

const address = await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`listening ${address}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
