import { queueBehind } from "./queue-behind";

/** Most ids one batched lookup asks for. */
const MAX_BATCH_IDS = 10_000;

type ResourceTypes = Map<string, string[]>;

interface Lookup {
  readonly tenant: string;
  readonly ids: readonly string[];
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
  const batched = queueBehind<Lookup, ResourceTypes>(
    ({ tenant }) => tenant,
    ({ tenant, ids }) => lookup(tenant, ids),
    async (queue) => {
      const batch = [queue.shift()!];
      let size = batch[0]!.input.ids.length;
      while (queue.length > 0 && size + queue[0]!.input.ids.length <= MAX_BATCH_IDS) {
        const next = queue.shift()!;
        batch.push(next);
        size += next.input.ids.length;
      }
      const ids = [...new Set(batch.flatMap((waiting) => waiting.input.ids))];
      try {
        const found = await lookup(batch[0]!.input.tenant, ids);
        for (const waiting of batch) waiting.resolve(only(found, waiting.input.ids));
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    },
  );
  return (tenant, ids) => batched({ tenant, ids });
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
