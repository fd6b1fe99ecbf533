import { tokenAuthorizer } from "@vaultops/lambda";

export const handler = tokenAuthorizer();
