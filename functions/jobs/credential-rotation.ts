import { PlaneCredentialRotation, vaultTransportFor } from "@vaultops/core";
import { secretsManagerRotation } from "@vaultops/lambda";

/**
 * Invoked by Secrets Manager (not by a schedule of ours) with {SecretId, ClientRequestToken, Step}
 * to rotate the plane's own AppRole secret_id in four steps.
 */
export const createHandler = secretsManagerRotation((ctx, event) =>
  new PlaneCredentialRotation({
    clients: ctx.clients,
    gateway: ctx.gateway,
    transport: vaultTransportFor(ctx.settings),
    approleMount: ctx.settings.VAULT_APPROLE_MOUNT,
    defaultRoleName: ctx.settings.VAULT_APPROLE_ROLE,
    logger: ctx.logger,
  }).run(event),
);

export const handler = createHandler();
