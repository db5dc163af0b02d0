import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from './kit.ts';
import { PurseError } from '../errors/purse-error.ts';
import { COMPRESS_THRESHOLD_BYTES, type Encoding, encodingFor, sendAsIs, varyOnEncoding } from './compression.ts';

/**
 * Files the pages load (stylesheets, scripts, the API reference's bundle), served from this server at
 * `/assets/<name>-<content hash>.<ext>`. A changed file gets a new name, so a browser may keep each one for
 * a year without asking again; each is compressed once (brotli and gzip, off the event loop) and kept.
 */
export const ASSETS_PREFIX = '/assets/';
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** 64 bits of SHA-256: enough that two versions of one file never share a name. */
const HASH_HEX_CHARS = 16;
/** Compressed once per process, so worth more effort than a per-request body (quality 11 would take seconds on MBs). */
const STATIC_BROTLI_QUALITY = 6;
const STATIC_GZIP_LEVEL = 9;
const WAIT_FOR_COMPRESSION_MAX_BYTES = 512 * 1024;

const brotliAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** A file whose bytes never change in this process: hashed and compressed once, on first use. */
export class FixedFile {
  #body: Buffer | undefined;
  #hash: string | undefined;
  readonly #variants = new Map<Encoding, Promise<Buffer>>();
  readonly #ready = new Map<Encoding, Buffer>();

  constructor(readonly contentType: string, private readonly load: () => string | Buffer) {}

  get body(): Buffer {
    this.#body ??= Buffer.from(this.load());
    return this.#body;
  }

  get hash(): string {
    this.#hash ??= createHash('sha256').update(this.body).digest('hex').slice(0, HASH_HEX_CHARS);
    return this.#hash;
  }

  /** Starts compressing both encodings (idempotent); resolves when both are kept. */
  prepare(): Promise<void> {
    if (this.body.length < COMPRESS_THRESHOLD_BYTES) return Promise.resolve();
    const start = (encoding: Encoding): Promise<Buffer> => {
      let variant = this.#variants.get(encoding);
      if (!variant) {
        variant = encoding === 'br'
          ? brotliAsync(this.body, { params: { [constants.BROTLI_PARAM_QUALITY]: STATIC_BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: this.body.length } })
          : gzipAsync(this.body, { level: STATIC_GZIP_LEVEL });
        this.#variants.set(encoding, variant);
        void variant.then((bytes) => this.#ready.set(encoding, bytes), () => this.#variants.delete(encoding));
      }
      return variant;
    };
    // Each variant's own reaction (above) keeps its bytes before this one runs.
    return Promise.all([start('br'), start('gzip')]).then(() => undefined);
  }

  /**
   * Answers with the best encoding the browser takes. A file up to WAIT_FOR_COMPRESSION_MAX_BYTES waits for
   * its compression (milliseconds, once); a bigger one goes out as it is until its compressed copy is ready,
   * so the first visitor after a start does not wait seconds for a bundle (the bytes are the same file).
   */
  async send(request: FastifyRequest, reply: FastifyReply, cacheControl: string): Promise<FastifyReply> {
    const preparing = this.prepare();
    void reply.header('content-type', this.contentType).header('cache-control', cacheControl).header('etag', `"${this.hash}"`);
    if (this.body.length >= COMPRESS_THRESHOLD_BYTES) varyOnEncoding(reply);
    if (request.headers['if-none-match'] === `"${this.hash}"`) return reply.code(304).send();
    const accepted = encodingFor(request.headers['accept-encoding']);
    if (accepted && this.body.length <= WAIT_FOR_COMPRESSION_MAX_BYTES) await preparing;
    const preferred: Encoding[] = accepted === 'br' ? ['br', 'gzip'] : accepted === 'gzip' ? ['gzip'] : [];
    const encoding = preferred.find((e) => this.#ready.has(e));
    // Not compressed per request either: a multi-MB bundle compressed on the event loop would stall every request.
    if (!encoding) return sendAsIs(reply).send(this.body);
    return reply.header('content-encoding', encoding).send(this.#ready.get(encoding));
  }
}

/** A file served at a content-hashed URL under /assets/. */
export class StaticAsset extends FixedFile {
  constructor(readonly name: string, readonly ext: string, contentType: string, load: () => string | Buffer) {
    super(contentType, load);
  }

  get fileName(): string {
    return `${this.name}-${this.hash}.${this.ext}`;
  }

  /** The URL to put in a page; computing it hashes the file, and compression starts in the background. */
  get url(): string {
    void this.prepare();
    return `${ASSETS_PREFIX}${this.fileName}`;
  }
}

const ASSETS = new Map<string, StaticAsset>();

/** Declares an asset (once per name and extension); its bytes are read only when first needed. */
export function defineAsset(name: string, ext: string, contentType: string, load: () => string | Buffer): StaticAsset {
  const key = `${name}.${ext}`;
  if (ASSETS.has(key)) throw new Error(`asset ${key} is defined twice`);
  const asset = new StaticAsset(name, ext, contentType, load);
  ASSETS.set(key, asset);
  return asset;
}

const FILE_NAME = /^([a-z0-9-]+)-([0-9a-f]+)\.([a-z0-9]+)$/;

/** `GET /assets/:file`: only the current version of each asset; an old or unknown name answers 404. */
export function registerAssetRoute(app: App): void {
  app.get(`${ASSETS_PREFIX}:file`, { schema: { hide: true }, config: { auth: { kind: 'public' } } }, async (request, reply) => {
    const file = (request.params as { file: string }).file;
    const match = FILE_NAME.exec(file);
    const asset = match ? ASSETS.get(`${match[1]}.${match[3]}`) : undefined;
    if (!asset || asset.hash !== match?.[2]) throw new PurseError('NOT_FOUND');
    return asset.send(request, reply, IMMUTABLE_CACHE_CONTROL);
  });
}
