import { invalidRequest, invalidValue, missingParam, unknownParam } from './errors.ts';
import { paramName } from './form.ts';
import type { FormObject, FormValue } from './form.ts';

/**
 * A tiny validator for Stripe form parameters. Every failure is a Stripe `invalid_request_error`
 * naming the offending `param`, because that is what clients (and the SDK's `.param`) rely on.
 */
export interface Schema<T, Opt extends boolean = boolean> {
  readonly optional: Opt;
  parse(raw: FormValue, param: string): T;
}
type Shape = Record<string, Schema<unknown>>;
type TypeOf<S> = S extends Schema<infer T> ? T : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
export type ObjectOf<S extends Shape> = Simplify<
  { [K in keyof S as S[K]['optional'] extends true ? never : K]: TypeOf<S[K]> } & {
    [K in keyof S as S[K]['optional'] extends true ? K : never]?: TypeOf<S[K]>;
  }
>;

const metadataKeysMax = 50;
const metadataKeyLengthMax = 40;
const metadataValueLengthMax = 500;
const stringLengthMaxDefault = 5000;
const integerPattern = /^-?\d+$/;

function required<T>(parse: (raw: FormValue, param: string) => T): Schema<T, false> {
  return { optional: false, parse };
}

export function optional<T>(schema: Schema<T>): Schema<T, true> {
  return { optional: true, parse: schema.parse };
}

function expectString(raw: FormValue, param: string): string {
  if (typeof raw !== 'string') throw invalidRequest(`Invalid string: ${param} must be a string, not a hash`, param);
  return raw;
}

function rejectEmpty(value: string, param: string): string {
  if (value === '') {
    throw invalidRequest(
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      param,
      'parameter_invalid_empty',
    );
  }
  return value;
}

export function str(opts: { maxLength?: number } = {}): Schema<string, false> {
  const maxLength = opts.maxLength ?? stringLengthMaxDefault;
  return required((raw, param) => {
    const value = rejectEmpty(expectString(raw, param), param);
    if (value.length > maxLength) {
      throw invalidValue(`Invalid string: ${param} must be at most ${maxLength} characters`, param);
    }
    return value;
  });
}

export function oneOf<const V extends string>(values: readonly V[]): Schema<V, false> {
  return required((raw, param) => {
    const value = rejectEmpty(expectString(raw, param), param);
    if (!(values as readonly string[]).includes(value)) {
      throw invalidValue(`Invalid ${param}: must be one of ${values.join(', ')}`, param);
    }
    return value as V;
  });
}

export function int(opts: { min?: number; max?: number } = {}): Schema<number, false> {
  return required((raw, param) => {
    const text = expectString(raw, param);
    const value = Number(text);
    if (!integerPattern.test(text) || !Number.isSafeInteger(value)) {
      throw invalidRequest(`Invalid integer: ${text}`, param, 'parameter_invalid_integer');
    }
    if (opts.min !== undefined && value < opts.min) {
      throw invalidRequest(`This value must be greater than or equal to ${opts.min}.`, param, 'parameter_invalid_integer');
    }
    if (opts.max !== undefined && value > opts.max) {
      throw invalidRequest(`This value must be less than or equal to ${opts.max}.`, param, 'parameter_invalid_integer');
    }
    return value;
  });
}

export function bool(): Schema<boolean, false> {
  return required((raw, param) => {
    const text = expectString(raw, param);
    if (text !== 'true' && text !== 'false') throw invalidRequest(`Invalid boolean: ${text}`, param);
    return text === 'true';
  });
}

export function url(): Schema<string, false> {
  return required((raw, param) => {
    const text = rejectEmpty(expectString(raw, param), param);
    let parsed: URL | undefined;
    try {
      parsed = new URL(text.replaceAll('{CHECKOUT_SESSION_ID}', 'x'));
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      throw invalidRequest('Not a valid URL', param, 'url_invalid');
    }
    return text;
  });
}

/** `''` clears the whole hash; a key with `''` unsets that key (kept here so updates can delete it). */
export function metadata(): Schema<Record<string, string>, false> {
  return required((raw, param) => {
    if (raw === '') return {};
    if (typeof raw === 'string') throw invalidRequest(`Invalid object: ${param} must be a hash`, param);
    const entries = Object.entries(raw);
    if (entries.length > metadataKeysMax) {
      throw invalidRequest(`Invalid ${param}: at most ${metadataKeysMax} keys are allowed`, param);
    }
    const out: Record<string, string> = {};
    for (const [key, value] of entries) {
      const keyParam = paramName(param, key);
      if (key.length > metadataKeyLengthMax) throw invalidRequest(`Metadata key too long: ${key}`, keyParam);
      const text = expectString(value, keyParam);
      if (text.length > metadataValueLengthMax) throw invalidRequest(`Metadata value too long for ${key}`, keyParam);
      out[key] = text;
    }
    return out;
  });
}

export function obj<S extends Shape>(shape: S): Schema<ObjectOf<S>, false> {
  return required((raw, param) => parseObject(shape, raw, param));
}

export function parseObject<S extends Shape>(shape: S, raw: FormValue, param: string): ObjectOf<S> {
  if (typeof raw === 'string') throw invalidRequest(`Invalid object: ${param} must be a hash`, param);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(shape, key)) throw unknownParam(paramName(param, key));
  }
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(shape)) {
    const value = raw[key];
    const name = paramName(param, key);
    if (value === undefined) {
      if (!schema.optional) throw missingParam(name);
      continue;
    }
    out[key] = schema.parse(value, name);
  }
  return out as ObjectOf<S>;
}

/** Arrays arrive as `x[0]=…&x[1]=…` (or `x[]=…`), i.e. an integer-keyed hash. */
export function arr<T>(item: Schema<T>): Schema<T[], false> {
  return required((raw, param) => {
    if (raw === '') return [];
    if (typeof raw === 'string') throw invalidRequest(`Invalid array: ${param} must be an array`, param);
    const keys = Object.keys(raw);
    if (keys.some((key) => !/^\d+$/.test(key))) throw invalidRequest(`Invalid array: ${param} must be an array`, param);
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => item.parse((raw as FormObject)[String(index)] as FormValue, paramName(param, String(index))));
  });
}

/** Stripe's "emptyable" fields: `''` means "unset" and comes back as null. */
export function emptyable<T>(schema: Schema<T>): Schema<T | null, false> {
  return required((raw, param) => (raw === '' ? null : schema.parse(raw, param)));
}
