import { invalidRequest } from './errors.ts';

/** A decoded Stripe form body: leaves are strings, `a[b]` nests, `a[0]`/`a[]` become integer-keyed objects. */
export type FormValue = string | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const nestingDepthMax = 10;
const bracketSegment = /\[([^[\]]*)\]/g;

/** Parses `line_items[0][price_data][currency]=brl&expand[]=x` (body or query string) into a tree. */
export function parseStripeForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    assignPath(root, splitKey(rawKey), value, rawKey);
  }
  return root;
}

function splitKey(rawKey: string): string[] {
  const open = rawKey.indexOf('[');
  if (open === -1) return [rawKey];
  const head = rawKey.slice(0, open);
  const rest = rawKey.slice(open);
  const segments = [head];
  let consumed = 0;
  for (const match of rest.matchAll(bracketSegment)) {
    if (match.index !== consumed) break;
    segments.push(match[1] ?? '');
    consumed += match[0].length;
  }
  if (head === '' || consumed !== rest.length || segments.length > nestingDepthMax) {
    throw invalidRequest(`Invalid parameter name: ${rawKey}`, rawKey);
  }
  return segments;
}

function assignPath(root: FormObject, segments: string[], value: string, rawKey: string): void {
  let node = root;
  for (let i = 0; i < segments.length; i += 1) {
    const key = segments[i] === '' ? String(Object.keys(node).length) : (segments[i] as string);
    const isLast = i === segments.length - 1;
    const existing = node[key];
    if (isLast) {
      if (typeof existing === 'object') throw invalidRequest(`Invalid hash for ${rawKey}`, rawKey);
      node[key] = value;
      return;
    }
    if (typeof existing === 'string') throw invalidRequest(`Invalid hash for ${rawKey}`, rawKey);
    const child: FormObject = existing ?? {};
    node[key] = child;
    node = child;
  }
}

/** The param name Stripe reports for a nested path, e.g. `line_items[0][quantity]`. */
export function paramName(parent: string, key: string): string {
  return parent === '' ? key : `${parent}[${key}]`;
}
