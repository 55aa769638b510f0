/** A call waiting behind the one running for its key. */
export interface Waiting<I, O> {
  readonly input: I;
  readonly resolve: (output: O) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Calls of one key queued behind the one running: a call whose key has none
 * running runs at once (`run`); calls that arrive while one runs wait, and when
 * it ends `runNext` takes a batch of them off the queue, runs it and settles
 * each, until the queue is empty. `key` undefined: the call never queues.
 * A call that waits is answered by work that started after it was made.
 */
export function queueBehind<I, O>(
  key: (input: I) => string | undefined,
  run: (input: I) => Promise<O>,
  runNext: (queue: Waiting<I, O>[]) => Promise<void>,
): (input: I) => Promise<O> {
  const queues = new Map<string, Waiting<I, O>[]>();

  const drain = async (name: string, queue: Waiting<I, O>[]) => {
    while (queue.length > 0) {
      try {
        await runNext(queue);
      } catch (error) {
        // `runNext` settles what it takes; should it throw, nothing waits forever.
        for (const waiting of queue.splice(0)) waiting.reject(error);
      }
    }
    queues.delete(name);
  };

  return async (input) => {
    const name = key(input);
    if (name === undefined) return run(input);
    const queue = queues.get(name);
    if (queue !== undefined) {
      return new Promise<O>((resolve, reject) => queue.push({ input, resolve, reject }));
    }
    const waiting: Waiting<I, O>[] = [];
    queues.set(name, waiting);
    try {
      return await run(input);
    } finally {
      void drain(name, waiting);
    }
  };
}
