/**
 * The HTTP conformance suite every scimkit adapter runs: one suite, many adapters
 * (the `@scimkit/store-tests` pattern). An adapter's test file passes a factory
 * that starts the adapter on 127.0.0.1 and an ephemeral port; the suite speaks
 * HTTP to it: request and response translation with a recording handler, bodies
 * and limits, authentication, error mapping, the base URL, the real service over
 * HTTP, and the recorded IdP traces of `@scimkit/idp-replay`.
 */
export { fakeHandler, type RawResponse, rawRequest } from "./helpers";
export {
  type ManagementAdapterUnderTest,
  runManagementConformance,
} from "./management-over-http";
export {
  type HttpAdapterUnderTest,
  runHttpConformance,
  type StartedServer,
  type StartOptions,
} from "./run-http-conformance";
