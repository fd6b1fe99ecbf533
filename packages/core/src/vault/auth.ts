import { ValidationError, VaultAuthenticationError } from "../errors";
import type { VaultTransport } from "./transport";

/** What the plane authenticates with; read from Secrets Manager in AWS. */
export interface VaultCredentials {
  token?: string;
  role_id?: string;
  secret_id?: string;
}

export interface CredentialSource {
  /** `force` skips any cache: used after Vault refused the current credentials. */
  get(force?: boolean): Promise<VaultCredentials>;
}

export const staticCredentials = (credentials: VaultCredentials): CredentialSource => ({
  get: async () => credentials,
});

/** A token in hand: its expiry is known so health views need no extra round trip. */
export interface VaultSession {
  token: string;
  /** Epoch ms; undefined for a token without expiry (root). */
  expiresAt?: number;
  renewable: boolean;
  obtainedAt: number;
  method: string;
}

export interface VaultAuthenticator {
  readonly method: "token" | "approle" | "aws";
  login(transport: VaultTransport, options: { force: boolean; now: number }): Promise<VaultSession>;
}

interface AuthResponse {
  auth?: { client_token?: string; lease_duration?: number; renewable?: boolean };
}
interface LookupResponse {
  data?: { ttl?: number; renewable?: boolean; expire_time?: string | null };
}

export function sessionFromAuth(body: unknown, method: string, now: number): VaultSession {
  const auth = (body as AuthResponse).auth;
  if (!auth?.client_token) throw new VaultAuthenticationError("Vault login returned no token");
  const session: VaultSession = {
    token: auth.client_token,
    renewable: auth.renewable === true,
    obtainedAt: now,
    method,
  };
  if (auth.lease_duration && auth.lease_duration > 0) session.expiresAt = now + auth.lease_duration * 1000;
  return session;
}

export function tokenAuthenticator(source: CredentialSource): VaultAuthenticator {
  return {
    method: "token",
    async login(transport, { force, now }) {
      const credentials = await source.get(force);
      if (!credentials.token) {
        throw new VaultAuthenticationError("No Vault token configured", {
          details: 'set VAULT_CREDENTIALS_SECRET to a secret holding {"token": ...}',
        });
      }
      // lookup-self tells the token's TTL and renewability; it also proves the token is valid.
      const body = (await transport({
        method: "GET",
        path: "/auth/token/lookup-self",
        token: credentials.token,
      })) as LookupResponse;
      const session: VaultSession = {
        token: credentials.token,
        renewable: body.data?.renewable === true,
        obtainedAt: now,
        method: "token",
      };
      if (body.data?.ttl && body.data.ttl > 0) session.expiresAt = now + body.data.ttl * 1000;
      return session;
    },
  };
}

export function appRoleAuthenticator(source: CredentialSource, mount = "approle"): VaultAuthenticator {
  return {
    method: "approle",
    async login(transport, { force, now }) {
      const credentials = await source.get(force);
      if (!credentials.role_id) {
        throw new VaultAuthenticationError("No AppRole role_id configured", {
          details: 'the Vault credentials secret must hold {"role_id", "secret_id"}',
        });
      }
      const json: Record<string, string> = { role_id: credentials.role_id };
      if (credentials.secret_id) json.secret_id = credentials.secret_id;
      const body = await transport({ method: "POST", path: `/auth/${mount}/login`, json });
      return sessionFromAuth(body, "approle", now);
    },
  };
}

/** The four fields of Vault's aws auth method (iam type), built from a SigV4-signed sts:GetCallerIdentity. */
export interface AwsIamLoginRequest {
  role: string;
  iam_http_request_method: "POST";
  iam_request_url: string;
  iam_request_body: string;
  iam_request_headers: string;
}

export interface SignedStsRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** Signs sts:GetCallerIdentity with the function's own credentials (the execution role inside Lambda). */
export async function signGetCallerIdentity(options: {
  region: string;
  endpoint?: string | undefined;
  serverIdHeader?: string | undefined;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}): Promise<SignedStsRequest> {
  const [{ SignatureV4 }, { Sha256 }, { fromEnv }] = await Promise.all([
    import("@smithy/signature-v4"),
    import("@aws-crypto/sha256-js"),
    import("@aws-sdk/credential-provider-env"),
  ]);
  const url = new URL(options.endpoint ?? "https://sts.amazonaws.com/");
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const headers: Record<string, string> = {
    host: url.host,
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
  };
  if (options.serverIdHeader) headers["x-vault-aws-iam-server-id"] = options.serverIdHeader;
  const signer = new SignatureV4({
    credentials: options.credentials ?? fromEnv(),
    region: options.endpoint ? options.region : "us-east-1",
    service: "sts",
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: "POST",
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers,
    body,
  });
  return { url: url.toString(), body, headers: signed.headers as Record<string, string> };
}

export function toAwsIamLogin(role: string, signed: SignedStsRequest): AwsIamLoginRequest {
  const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
  return {
    role,
    iam_http_request_method: "POST",
    iam_request_url: b64(signed.url),
    iam_request_body: b64(signed.body),
    iam_request_headers: b64(JSON.stringify(signed.headers)),
  };
}

export function awsIamAuthenticator(options: {
  role: string;
  mount?: string;
  region: string;
  stsEndpoint?: string | undefined;
  serverIdHeader?: string | undefined;
}): VaultAuthenticator {
  return {
    method: "aws",
    async login(transport, { now }) {
      if (!options.role) throw new ValidationError("VAULT_AWS_ROLE is required for the aws auth method");
      const signed = await signGetCallerIdentity({
        region: options.region,
        endpoint: options.stsEndpoint,
        serverIdHeader: options.serverIdHeader,
      });
      const body = await transport({
        method: "POST",
        path: `/auth/${options.mount ?? "aws"}/login`,
        json: toAwsIamLogin(options.role, signed),
      });
      return sessionFromAuth(body, "aws", now);
    },
  };
}
