/// <reference path="./.sst/platform/config.d.ts" />

/** vaultops on AWS: run() only wires the infra/ modules together (see infra/*.ts). */
export default $config({
  app(input) {
    return {
      name: "vaultops",
      home: "aws",
      removal: input?.stage === "production" ? "retain" : "remove",
      protect: input?.stage === "production",
    };
  },
  async run() {
    const { table } = await import("./infra/storage");
    const { vaultCredentials, apiTokens } = await import("./infra/secrets");
    const { api } = await import("./infra/api");
    await import("./infra/cron");
    return {
      api: api.url,
      table: table.name,
      vaultCredentialsSecret: vaultCredentials.arn,
      apiTokensSecret: apiTokens.arn,
    };
  },
});
