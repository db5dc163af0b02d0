import { invalidRequest } from '../errors.ts';

/** How `expand[]` finds objects: by id, plus the session's line items, which only exist expanded. */
export interface ExpandSource {
  lookup(id: string): object | undefined;
  sessionLineItems(sessionId: string): object | undefined;
}

const expandDepthMax = 4;

type Node = Record<string, unknown>;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function cannotExpand(path: string): Error {
  return invalidRequest(`This property cannot be expanded (${path}).`, 'expand');
}

function expandPath(node: unknown, segments: string[], source: ExpandSource, path: string): unknown {
  const [field, ...rest] = segments;
  if (field === undefined || !isNode(node)) return node;
  if (node.object === 'list' && field === 'data' && Array.isArray(node.data)) {
    node.data = node.data.map((item: unknown) => expandPath(item, rest, source, path));
    return node;
  }
  if (node.object === 'checkout.session' && field === 'line_items') {
    node.line_items = expandPath(source.sessionLineItems(String(node.id)), rest, source, path);
    return node;
  }
  if (!Object.hasOwn(node, field)) throw cannotExpand(path);
  let value = node[field];
  if (typeof value === 'string') {
    const found = source.lookup(value);
    if (!found) throw cannotExpand(path);
    value = structuredClone(found);
  } else if (value !== null && !isNode(value)) {
    throw cannotExpand(path);
  }
  node[field] = value === null ? null : expandPath(value, rest, source, path);
  return node;
}

/** Returns a copy of `value` with each dotted path in `paths` replaced by the full object. */
export function applyExpand(value: object, paths: string[], source: ExpandSource): object {
  if (paths.length === 0) return value;
  const copy = structuredClone(value);
  for (const path of paths) {
    const segments = path.split('.');
    if (segments.length > expandDepthMax) {
      throw invalidRequest(`You cannot expand more than ${expandDepthMax} levels of a property (${path}).`, 'expand');
    }
    expandPath(copy, segments, source, path);
  }
  return copy;
}
