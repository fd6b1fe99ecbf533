/**
 * A Parameters provider of Powertools for AWS Lambda (`@aws-lambda-powertools/parameters`, an optional peer
 * dependency) that reads the vaultops API: `get("<key>")` reads one key of the provider's environment and
 * service, `getMultiple("")` (or `getMultiple("<service>")`) lists a service's keys as a record of key → value.
 *
 * Powertools' own cache answers while a value is younger than its `maxAge` (seconds, default 5 or
 * POWERTOOLS_PARAMETERS_MAX_AGE); `forceFetch` skips it, `transform: "json"` / `"binary"` is Powertools' own.
 * The client's memory is not a second cache: every read the provider makes asks the API (maxAge 0), and the
 * client only uses the version it kept to ask with If-None-Match, so an unchanged value comes back as a 304
 * without a body. `forceFetch` also drops the If-None-Match.
 */
import { BaseProvider } from "@aws-lambda-powertools/parameters/base";
import type { GetMultipleOptionsInterface, GetOptionsInterface } from "@aws-lambda-powertools/parameters/base/types";
import { type ClientOptions, type ConfigRecord, VaultopsClient } from "./client.js";
import { NotFoundError } from "./errors.js";

export interface VaultopsProviderOptions {
  /** A client to use (its own maxAge is overridden: each read the provider makes asks the API). */
  client?: VaultopsClient;
  /** Or the options of one the provider makes (with maxAge 0). */
  clientOptions?: ClientOptions;
  /** The scope `get` reads and `getMultiple("")` lists; defaults to the client's. */
  environment?: string;
  service?: string;
}

/** What the provider passes on to the client, as Powertools' `sdkOptions`. */
export interface VaultopsSdkOptions {
  /** Have the API read Vault rather than its own cache (`Cache-Control: no-cache`). */
  noCache?: boolean;
  signal?: AbortSignal;
}

export interface VaultopsGetOptions extends Omit<GetOptionsInterface, "transform" | "sdkOptions"> {
  transform?: "json" | "binary";
  sdkOptions?: VaultopsSdkOptions;
}

export interface VaultopsGetMultipleOptions extends Omit<GetMultipleOptionsInterface, "transform" | "sdkOptions"> {
  transform?: "json" | "binary" | "auto";
  sdkOptions?: VaultopsSdkOptions;
}

/** Page size of the lists `getMultiple` reads (the API's largest). */
const PAGE = 500;

export class VaultopsProvider extends BaseProvider {
  /** The client the provider reads through. */
  readonly vaultops: VaultopsClient;
  private readonly environment: string | undefined;
  private readonly service: string | undefined;

  constructor(options: VaultopsProviderOptions) {
    super({});
    if (!options.client && !options.clientOptions)
      throw new TypeError("VaultopsProvider: pass a client or clientOptions");
    this.vaultops = options.client ?? new VaultopsClient({ ...(options.clientOptions as ClientOptions), maxAge: 0 });
    this.environment = options.environment;
    this.service = options.service;
  }

  /**
   * One key's value: a string, or what the transform made of it. A key that does not exist answers
   * `undefined` (or Powertools' ParameterNotFoundError with `throwOnMissing: true`); any other failure is
   * Powertools' GetParameterError whose `cause` is the client's typed error (ScopeError, ForbiddenError, …).
   */
  override get(name: string, options?: VaultopsGetOptions & { transform?: undefined }): Promise<string | undefined>;
  override get<T = unknown>(name: string, options: VaultopsGetOptions & { transform: "json" }): Promise<T | undefined>;
  override get(name: string, options?: VaultopsGetOptions): Promise<unknown>;
  override get(name: string, options?: VaultopsGetOptions): Promise<unknown> {
    return super.get(name, options as GetOptionsInterface);
  }

  /**
   * Every key of a service (`""` or `"/"`: the provider's own; else the service of that name in the
   * provider's environment) as a record of key → value (or what the transform made of it).
   */
  override getMultiple(
    path: string,
    options?: VaultopsGetMultipleOptions & { transform?: undefined },
  ): Promise<Record<string, string>>;
  override getMultiple<T = unknown>(
    path: string,
    options: VaultopsGetMultipleOptions & { transform: "json" | "auto" },
  ): Promise<Record<string, T>>;
  override getMultiple(path: string, options?: VaultopsGetMultipleOptions): Promise<Record<string, unknown>>;
  override getMultiple(path: string, options?: VaultopsGetMultipleOptions): Promise<unknown> {
    return super.getMultiple(path, options as GetMultipleOptionsInterface);
  }

  protected override async _get(name: string, options?: VaultopsGetOptions): Promise<string | undefined> {
    try {
      const record = await this.vaultops.get(name, {
        ...this.scope(),
        maxAge: 0,
        ...(options?.forceFetch ? { forceFetch: true } : {}),
        ...this.sdk(options?.sdkOptions),
      });
      return stringValue(record);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  protected override async _getMultiple(
    path: string,
    options?: VaultopsGetMultipleOptions,
  ): Promise<Record<string, string>> {
    const named = path.replace(/^\/+|\/+$/g, "");
    const scope = { ...this.scope(), ...(named ? { service: named } : {}) };
    const sdk = this.sdk(options?.sdkOptions);
    const values: Record<string, string> = {};
    const withheld: string[] = [];
    for await (const page of this.vaultops.list({
      ...scope,
      limit: PAGE,
      ...(sdk.signal ? { signal: sdk.signal } : {}),
    })) {
      for (const item of page.items) {
        if (item.value === null) withheld.push(item.key);
        else values[item.key] = item.value;
      }
    }
    // A list hides a sensitive value from a token without secrets:read: reading it alone gets the API's
    // own answer (its value, or the 403 `secrets_scope_required` that says why).
    for (const key of withheld) {
      const value = stringValue(await this.vaultops.get(key, { ...scope, maxAge: 0, forceFetch: true, ...sdk }));
      if (value !== undefined) values[key] = value;
    }
    return values;
  }

  private scope() {
    return {
      ...(this.environment !== undefined ? { environment: this.environment } : {}),
      ...(this.service !== undefined ? { service: this.service } : {}),
    };
  }

  private sdk(options: VaultopsSdkOptions | undefined) {
    return {
      ...(options?.noCache ? { noCache: true } : {}),
      ...(options?.signal ? { signal: options.signal } : {}),
    };
  }
}

function stringValue(record: ConfigRecord): string | undefined {
  return typeof record.value === "string" ? record.value : undefined;
}
