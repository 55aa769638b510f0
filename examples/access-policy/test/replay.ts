import { replayTrace, type Trace, type TraceStep } from "@scimkit/idp-replay";
import { type RunningApp, SCIM_TOKEN } from "./start-app";

/**
 * Replays a recorded IdP trace (from @scimkit/idp-replay) against the app in
 * pieces, so a test can look at the app's access decisions between the IdP's
 * requests: `through(name)` sends every step up to and including the step of
 * that name, `send(step)` one more request in the IdP's shape.
 */
export function traceRunner(trace: Trace, app: RunningApp) {
  let next = 0;
  let variables: Record<string, string> = { token: SCIM_TOKEN };
  const run = async (steps: readonly TraceStep[]) => {
    const result = await replayTrace({ ...trace, steps }, { port: app.port, variables });
    variables = { ...result.variables };
  };
  const indexOf = (name: string) => {
    const index = trace.steps.findIndex((step) => step.name === name);
    if (index === -1) throw new Error(`${trace.id} has no step "${name}".`);
    return index;
  };
  return {
    get variables(): Readonly<Record<string, string>> {
      return variables;
    },
    /** The step named `name`, to send again with changes. */
    step: (name: string): TraceStep => trace.steps[indexOf(name)]!,
    async through(name: string) {
      const index = indexOf(name);
      if (index < next) throw new Error(`"${name}" was already replayed.`);
      await run(trace.steps.slice(next, index + 1));
      next = index + 1;
    },
    async rest() {
      await run(trace.steps.slice(next));
      next = trace.steps.length;
    },
    send: (step: TraceStep) => run([step]),
  };
}
