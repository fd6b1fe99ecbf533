import type { AwsClients } from "../aws/clients";
import { ValidationError, VaultAuthenticationError } from "../errors";
import type { Logger } from "../logger";
import { sessionFromAuth, type VaultCredentials } from "../vault/auth";
import type { VaultGateway } from "../vault/gateway";
import type { VaultTransport } from "../vault/transport";

/** The plane's AppRole credential as stored in Secrets Manager. */
export interface PlaneCredential extends VaultCredentials {
  role_id: string;
  secret_id: string;
  /** The AppRole role whose secret_id is rotated. */
  role_name?: string;
  secret_id_accessor?: string;
}

export type RotationStep = "createSecret" | "setSecret" | "testSecret" | "finishSecret";
export const ROTATION_STEPS: readonly RotationStep[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

/**
 * Secrets Manager's four-step rotation of the plane's own AppRole secret_id. Vault issues the new
 * secret_id (createSecret), so setSecret has nothing to change; testSecret logs in with it for real;
 * finishSecret makes it AWSCURRENT. The old one stays AWSPREVIOUS and valid in Vault, so no function
 * loses access mid-rotation; functions pick up the new one when their cached copy expires or on a refused login.
 */
export class PlaneCredentialRotation {
  constructor(
    private readonly deps: {
      clients: AwsClients;
      /** Authenticated as the plane: it needs `update` on auth/<mount>/role/<role>/secret-id. */
      gateway: VaultGateway;
      transport: VaultTransport;
      approleMount: string;
      defaultRoleName?: string | undefined;
      logger: Logger;
    },
  ) {}

  async run(event: { SecretId?: string; ClientRequestToken?: string; Step?: string }): Promise<void> {
    const { SecretId: secretId, ClientRequestToken: token, Step: step } = event;
    if (!secretId || !token || !ROTATION_STEPS.includes(step as RotationStep)) {
      throw new ValidationError("Not a Secrets Manager rotation event", { details: `step ${String(step)}` });
    }
    const sm = await this.deps.clients.secretsManager();
    const { DescribeSecretCommand } = await import("@aws-sdk/client-secrets-manager");
    const described = await sm.send(new DescribeSecretCommand({ SecretId: secretId }));
    const stages = described.VersionIdsToStages?.[token];
    // RotateSecret registers the token as AWSPENDING before createSecret; createSecret may also be the
    // first to write it (emulators, manual runs). Every later step needs it.
    if (!stages && step !== "createSecret") {
      throw new ValidationError("Rotation token is not a version of this secret", { details: token });
    }
    if (stages?.includes("AWSCURRENT") && step !== "finishSecret") {
      this.deps.logger.info("rotation step skipped: version already current", { step });
      return;
    }
    this.deps.logger.info("credential rotation step", { step, secret: described.Name });
    switch (step as RotationStep) {
      case "createSecret":
        return this.createSecret(secretId, token);
      case "setSecret":
        // Vault issued the secret_id in createSecret: there is nothing to push anywhere.
        return;
      case "testSecret":
        return this.testSecret(secretId, token);
      case "finishSecret":
        return this.finishSecret(secretId, token, described.VersionIdsToStages ?? {});
    }
  }

  private async read(
    secretId: string,
    stage: { VersionStage?: string; VersionId?: string },
  ): Promise<PlaneCredential | undefined> {
    const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    try {
      const out = await (await this.deps.clients.secretsManager()).send(
        new GetSecretValueCommand({ SecretId: secretId, ...stage }),
      );
      return JSON.parse(out.SecretString ?? "{}") as PlaneCredential;
    } catch (error) {
      if ((error as { name?: string }).name === "ResourceNotFoundException") return undefined;
      throw error;
    }
  }

  private async createSecret(secretId: string, token: string): Promise<void> {
    if (await this.read(secretId, { VersionId: token, VersionStage: "AWSPENDING" })) return; // idempotent retry
    const current = await this.read(secretId, { VersionStage: "AWSCURRENT" });
    if (!current?.role_id) throw new ValidationError("The current credential has no role_id");
    const roleName = current.role_name ?? this.deps.defaultRoleName;
    if (!roleName) throw new ValidationError("The credential secret names no role_name (or set VAULT_APPROLE_ROLE)");
    const issued = await this.deps.gateway.request<{ data: { secret_id: string; secret_id_accessor: string } }>(
      "approle_secret_id",
      {
        method: "POST",
        path: `/auth/${this.deps.approleMount}/role/${encodeURIComponent(roleName)}/secret-id`,
        json: { metadata: JSON.stringify({ issued_by: "vaultops-rotation", version: token }) },
      },
    );
    const next: PlaneCredential = {
      role_id: current.role_id,
      secret_id: issued.data.secret_id,
      secret_id_accessor: issued.data.secret_id_accessor,
      role_name: roleName,
    };
    const { PutSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    await (await this.deps.clients.secretsManager()).send(
      new PutSecretValueCommand({
        SecretId: secretId,
        ClientRequestToken: token,
        SecretString: JSON.stringify(next),
        VersionStages: ["AWSPENDING"],
      }),
    );
  }

  /** A real AppRole login with the pending credential; the test token is revoked at once. */
  private async testSecret(secretId: string, token: string): Promise<void> {
    const pending = await this.read(secretId, { VersionId: token, VersionStage: "AWSPENDING" });
    if (!pending) throw new ValidationError("No AWSPENDING version to test");
    let body: unknown;
    try {
      body = await this.deps.transport({
        method: "POST",
        path: `/auth/${this.deps.approleMount}/login`,
        json: { role_id: pending.role_id, secret_id: pending.secret_id },
      });
    } catch (error) {
      throw new VaultAuthenticationError("The pending credential does not log in to Vault", { cause: error });
    }
    const session = sessionFromAuth(body, "approle", Date.now());
    await this.deps
      .transport({ method: "POST", path: "/auth/token/revoke-self", token: session.token })
      .catch(() => {});
  }

  private async finishSecret(secretId: string, token: string, versions: Record<string, string[]>): Promise<void> {
    const current = Object.entries(versions).find(([, stages]) => stages.includes("AWSCURRENT"))?.[0];
    if (current === token) return;
    const { UpdateSecretVersionStageCommand } = await import("@aws-sdk/client-secrets-manager");
    await (await this.deps.clients.secretsManager()).send(
      new UpdateSecretVersionStageCommand({
        SecretId: secretId,
        VersionStage: "AWSCURRENT",
        MoveToVersionId: token,
        ...(current ? { RemoveFromVersionId: current } : {}),
      }),
    );
    // This container's own session came from the old credential; log in afresh next time.
    this.deps.gateway.forgetSession();
  }
}
