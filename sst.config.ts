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
    const { table, snapshotBucket } = await import("./infra/storage");
    const { vaultCredentials, apiTokens } = await import("./infra/secrets");
    const { api } = await import("./infra/api");
    await import("./infra/cron");
    await import("./infra/credential-rotation");
    const { dashboard } = await import("./infra/alarms");
    return {
      api: api.url,
      table: table.name,
      snapshotBucket: snapshotBucket.name,
      dashboard: dashboard.dashboardName,
      vaultCredentialsSecret: vaultCredentials.arn,
      apiTokensSecret: apiTokens.arn,
    };
  },
});
