import { invalidRequest } from './errors.ts';

/** Small readers for the control API's JSON bodies; failures are 400s naming the field. */
export type JsonObject = Record<string, unknown>;

export function parseJsonObject(text: string): JsonObject {
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidRequest('The request body must be a JSON object.');
  }
  return parsed as JsonObject;
}

export function optionalString(body: JsonObject, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`${key} must be a string.`, key);
  return value;
}

export function optionalInteger(body: JsonObject, key: string, min: number, max: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalidRequest(`${key} must be an integer from ${min} to ${max}.`, key);
  }
  return value;
}

export function requiredEnum<const V extends string>(body: JsonObject, key: string, values: readonly V[]): V {
  const value = body[key];
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw invalidRequest(`${key} must be one of ${values.join(', ')}.`, key);
  }
  return value as V;
}

export function optionalObject(body: JsonObject, key: string): JsonObject | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest(`${key} must be an object.`, key);
  return value as JsonObject;
}

export function optionalEnum<const V extends string>(body: JsonObject, key: string, values: readonly V[]): V | undefined {
  if (body[key] === undefined || body[key] === null) return undefined;
  return requiredEnum(body, key, values);
}
