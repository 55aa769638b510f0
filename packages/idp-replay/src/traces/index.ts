import type { Trace } from "../trace";
import { authentik } from "./authentik";
import { entraId, entraIdManager } from "./entra-id";
import { entraIdFlag } from "./entra-id-flag";
import { googleWorkspace } from "./google-workspace";
import { oktaCustomApp, oktaOin } from "./okta";
import { onelogin } from "./onelogin";

export {
  authentik,
  entraId,
  entraIdFlag,
  entraIdManager,
  googleWorkspace,
  oktaCustomApp,
  oktaOin,
  onelogin,
};

/** Every recorded-shape trace, replayed on every store. */
export const TRACES: readonly Trace[] = [
  entraId,
  entraIdFlag,
  entraIdManager,
  oktaOin,
  oktaCustomApp,
  authentik,
  googleWorkspace,
  onelogin,
];
