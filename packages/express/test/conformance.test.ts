import { runHttpConformance } from "@scimkit/http-tests";
import { type ScimRouterOptions, scimRouter } from "../src/index";
import { expressVersions, serve } from "./serve";

for (const version of expressVersions) {
  runHttpConformance({
    name: `scimRouter on ${version.name}`,
    start: ({ options, basePath }) =>
      serve(version, (app) => {
        app.use(basePath || "/", scimRouter(options as ScimRouterOptions));
      }),
  });
}
