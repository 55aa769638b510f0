/** Most ids one batched lookup asks for. */
const MAX_BATCH_IDS = 10_000;

type ResourceTypes = Map<string, string[]>;

interface Waiting {
  readonly ids: readonly string[];
  readonly resolve: (found: ResourceTypes) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * `resourceTypesOf` with concurrent calls of one tenant batched: while one
 * lookup runs, the calls that arrive wait and then share one statement. Every
 * member PATCH resolves its members' types first, and an IdP sends many at once;
 * this turns their lookups into about one statement per round trip's worth of
 * them. A call that waits is answered from a statement that started after it was
 * made, so it never sees older data than it would alone.
 */
export function resourceTypeBatches(
  lookup: (tenant: string, ids: readonly string[]) => Promise<ResourceTypes>,
): (tenant: string, ids: readonly string[]) => Promise<ResourceTypes> {
  const queues = new Map<string, Waiting[]>();

  const drain = async (tenant: string, queue: Waiting[]) => {
    while (queue.length > 0) {
      const batch: Waiting[] = [];
      let size = 0;
      while (
        queue.length > 0 &&
        (batch.length === 0 || size + (queue[0]?.ids.length ?? 0) <= MAX_BATCH_IDS)
      ) {
        const next = queue.shift() as Waiting;
        batch.push(next);
        size += next.ids.length;
      }
      try {
        const found = await lookup(tenant, [...new Set(batch.flatMap((waiting) => waiting.ids))]);
        for (const waiting of batch) waiting.resolve(only(found, waiting.ids));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    queues.delete(tenant);
  };

  return async (tenant, ids) => {
    const queue = queues.get(tenant);
    if (queue !== undefined) {
      return new Promise<ResourceTypes>((resolve, reject) => queue.push({ ids, resolve, reject }));
    }
    const waiting: Waiting[] = [];
    queues.set(tenant, waiting);
    try {
      return await lookup(tenant, ids);
    } finally {
      void drain(tenant, waiting);
    }
  };
}

/** The entries of `found` for `ids` (each caller sees only what it asked for). */
function only(found: ResourceTypes, ids: readonly string[]): ResourceTypes {
  const mine: ResourceTypes = new Map();
  for (const id of ids) {
    const types = found.get(id);
    if (types !== undefined) mine.set(id, [...types]);
  }
  return mine;
}
