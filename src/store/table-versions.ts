import {
  AliasNode, DeleteQueryNode, InsertQueryNode, type KyselyPlugin, type OperationNode, type PluginTransformQueryArgs,
  type PluginTransformResultArgs, type QueryId, type QueryResult, type RootOperationNode, TableNode, type UnknownRow, UpdateQueryNode,
} from 'kysely';

/**
 * A counter per table that moves whenever this process writes the table through the query builder —
 * before the statement runs and again once it has — so an in-memory cache of rows (say, API keys) can
 * tell at a glance that it may be stale and read again. Writes from other processes, and raw SQL,
 * are not seen: a cache using this still needs its own time bound.
 */
export class TableVersions implements KyselyPlugin {
  readonly #versions = new Map<string, number>();
  readonly #running = new WeakMap<QueryId, string>();

  version(table: string): number {
    return this.#versions.get(table) ?? 0;
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const table = writtenTable(args.node);
    if (table !== undefined) {
      this.#bump(table);
      this.#running.set(args.queryId, table);
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const table = this.#running.get(args.queryId);
    if (table !== undefined) this.#bump(table);
    return args.result;
  }

  #bump(table: string): void {
    this.#versions.set(table, this.version(table) + 1);
  }
}

function writtenTable(node: RootOperationNode): string | undefined {
  if (InsertQueryNode.is(node)) return node.into ? tableName(node.into) : undefined;
  if (UpdateQueryNode.is(node)) return node.table ? tableName(node.table) : undefined;
  if (DeleteQueryNode.is(node)) return node.from.froms[0] ? tableName(node.from.froms[0]) : undefined;
  return undefined;
}

function tableName(node: OperationNode): string | undefined {
  if (TableNode.is(node)) return node.table.identifier.name;
  if (AliasNode.is(node)) return tableName(node.node);
  return undefined;
}
