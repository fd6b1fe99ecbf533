import {
  KvV2Client,
  OutcomeUnknownError,
  VaultConnectionError,
  type VaultGateway,
  VersionConflictError,
} from "@vaultops/core";
import { describe, expect, it } from "vitest";

/**
 * The KV v2 client's handling of a write whose answer was lost, against a scripted gateway: each
 * call takes the next scripted answer.
 */
type Answer = unknown | Error;
function gateway(script: Array<(request: { method: string; path: string }) => Answer>) {
  const calls: string[] = [];
  const fake = {
    timeLeft: () => 8_000,
    request: async (_op: string, request: { method: string; path: string }) => {
      calls.push(`${request.method} ${request.path}`);
      const next = script.shift();
      if (!next) throw new Error(`unexpected call ${request.method} ${request.path}`);
      const answer = next(request);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  return { calls, client: new KvV2Client(fake as unknown as VaultGateway, "secret") };
}
const lost = () =>
  new VaultConnectionError("Vault is not available", { details: "ECONNABORTED", mayHaveReachedVault: true });
const meta = (current: number) => ({
  data: {
    current_version: current,
    created_time: "2026-01-01T00:00:00.123456789Z",
    updated_time: "2026-01-01T00:00:00.123456789Z",
    versions: Object.fromEntries(
      Array.from({ length: current }, (_, i) => [
        String(i + 1),
        { created_time: "2026-01-01T00:00:01.5Z", deletion_time: "", destroyed: false },
      ]),
    ),
  },
});
const read = (data: Record<string, unknown>, version: number) => ({
  data: { data, metadata: { version, created_time: "2026-01-01T00:00:01.5Z", deletion_time: "", destroyed: false } },
});

describe("KvV2Client.write when the answer is lost", () => {
  it("answers the write's version when the metadata shows it landed with this data", async () => {
    const data = { value: "v" };
    const { calls, client } = gateway([() => lost(), () => meta(4), () => read(data, 4)]);
    await expect(client.write("a/b/c", data, 3)).resolves.toEqual({
      version: 4,
      createdAt: "2026-01-01T00:00:01.500Z",
    });
    expect(calls).toEqual([
      "POST /secret/data/a/b/c",
      "GET /secret/metadata/a/b/c",
      "GET /secret/data/a/b/c?version=4",
    ]);
  });

  it("is a conflict when another writer's data is at that version", async () => {
    const { client } = gateway([() => lost(), () => meta(4), () => read({ value: "theirs" }, 4)]);
    await expect(client.write("a/b/c", { value: "mine" }, 3)).rejects.toThrow(VersionConflictError);
  });

  it("sends it once more when it did not land", async () => {
    const { calls, client } = gateway([
      () => lost(),
      () => meta(3),
      () => ({ data: { version: 4, created_time: "2026-01-01T00:00:02Z" } }),
    ]);
    await expect(client.write("a/b/c", { value: "v" }, 3)).resolves.toMatchObject({ version: 4 });
    expect(calls.filter((c) => c.startsWith("POST"))).toHaveLength(2);
  });

  it("is 504 outcome_unknown when Vault cannot say", async () => {
    const { client } = gateway([() => lost(), () => new VaultConnectionError("Vault is not available")]);
    await expect(client.write("a/b/c", { value: "v" }, 3)).rejects.toThrow(OutcomeUnknownError);
  });

  it("treats a version whose deletion time is in the future as live", async () => {
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const { client } = gateway([
      () => ({
        data: {
          data: { value: "v" },
          metadata: { version: 1, created_time: "2026-01-01T00:00:00Z", deletion_time: future },
        },
      }),
    ]);
    await expect(client.read("a/b/c")).resolves.toMatchObject({ version: 1, data: { value: "v" } });
  });
});
