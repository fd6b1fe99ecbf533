/**
 * Generated from docs/openapi.json by openapi-typescript (npm run client:types). Do not edit by hand:
 * test/unit/client/openapi-types.test.ts fails when this file and the document differ.
 */

export interface paths {
  "/api/v1/vault/health": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Vault health (200 healthy, 503 otherwise)
     * @description Public: no token.
     */
    get: operations["vaultHealth"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/vault/metrics": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Request, token, error and cache figures (JSON or Prometheus text)
     * @description Needs the `monitor` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["vaultMetrics"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/vault/status": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Integration status: version, features, health, cache, monitoring
     * @description Needs the `monitor` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["vaultStatus"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/vault/cache/clear": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Empty the shared cache and every container's in-process tier
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    post: operations["vaultCacheClear"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/vault/token/renew": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Renew the plane's own Vault token
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    post: operations["vaultTokenRenew"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List the configurations of one environment and service
     * @description Needs the `config:read` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside). Sensitive values need `secrets:read`: else 403 `secrets_scope_required` (single read) or the value's hash prefix in place of it.
     */
    get: operations["configList"];
    put?: never;
    /**
     * Create a configuration (201; 409 when it exists)
     * @description Needs the `config:write` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    post: operations["configCreate"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config/status": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * vault_enabled, and the Vault, cache and backend state
     * @description Needs the `monitor` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["configStatus"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config/copy": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Copy one service's configurations between backends (Vault, Secrets Manager): the plan, or the copy
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    post: operations["configCopy"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config/{key}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Read a configuration (ETag: its version); ?version=N reads an older one
     * @description Needs the `config:read` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside). Sensitive values need `secrets:read`: else 403 `secrets_scope_required` (single read) or the value's hash prefix in place of it.
     */
    get: operations["configGet"];
    /**
     * Write a new version (If-Match or expected_version: check-and-set; 409 when stale)
     * @description Needs the `config:write` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    put: operations["configUpdate"];
    post?: never;
    /**
     * Delete a configuration (history kept; ?purge=true removes every version)
     * @description Needs the `config:write` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    delete: operations["configDelete"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config/{key}/versions": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Version history from KV v2 metadata
     * @description Needs the `config:read` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside). Sensitive values need `secrets:read`: else 403 `secrets_scope_required` (single read) or the value's hash prefix in place of it.
     */
    get: operations["configVersions"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config/{key}/rollback": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Restore version N as a new version
     * @description Needs the `config:write` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    post: operations["configRollback"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config/{key}/rotation": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The rotation policy and its status (last rotation, next due, last outcome)
     * @description Needs the `admin` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    get: operations["configRotationGet"];
    /**
     * Set the rotation policy of a secret (interval, grace period, auto-rotate, generator)
     * @description Needs the `admin` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    put: operations["configRotationPut"];
    post?: never;
    /**
     * Remove the rotation policy
     * @description Needs the `admin` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    delete: operations["configRotationDelete"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config/{key}/rotate": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Rotate now; answers the new version (never the value)
     * @description Needs the `admin` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    post: operations["configRotate"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/config/{key}/rotation/history": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Rotation history of a secret, newest first
     * @description Needs the `admin` scope (`admin` has every scope). A token limited to paths may call it within them (403 outside).
     */
    get: operations["configRotationHistory"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/rotation/status": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Every rotation policy, overdue and due first
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["rotationStatus"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/vault/snapshots": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * List snapshots, newest first (?type=, ?status=)
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["snapshotList"];
    put?: never;
    /**
     * Create an encrypted snapshot of the KV v2 tree (201 with the manifest)
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    post: operations["snapshotCreate"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/vault/snapshots/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * One snapshot's manifest
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["snapshotGet"];
    put?: never;
    post?: never;
    /**
     * Delete a snapshot and its file
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    delete: operations["snapshotDelete"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/vault/snapshots/{id}/verify": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Decrypt and check the hash and every entry (422 when it does not verify)
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    post: operations["snapshotVerify"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/vault/snapshots/{id}/restore": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * The restore plan (?dry_run=true, the default) or the restore itself (?dry_run=false)
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    post: operations["snapshotRestore"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/audit": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Audit records, newest first: ?from=&to=&operation=&path=&actor=&success=&client_ip=&limit=&cursor=
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["auditQuery"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/audit/summary": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Counts by operation and by time window, and access patterns
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["auditSummary"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/audit/anomalies": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Paths read far above their usual rate, failure bursts, access at unusual hours
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["auditAnomalies"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/incidents": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Incidents recorded from secret-access alarms, newest first
     * @description Needs the `admin` scope (`admin` has every scope). Plane-wide: a token limited to paths gets 403.
     */
    get: operations["incidentList"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/auth/token": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The calling token: its name, scopes, path limits, expiry, and what it may do
     * @description Any valid API token.
     */
    get: operations["tokenSelf"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/api/v1/openapi.json": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * This API's OpenAPI 3.1 document
     * @description Public: no token.
     */
    get: operations["openApi"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Error: {
      error: string;
      code: string;
      details?: string;
      request_id?: string;
    } & {
      [key: string]: unknown;
    };
    GatewayError: {
      message: string;
    } & {
      [key: string]: unknown;
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  vaultHealth: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            vault_health: {
              /** @enum {string} */
              status: "healthy" | "standby" | "performance_standby" | "sealed" | "uninitialized" | "unhealthy";
              last_check: string;
              total_requests: number;
              success_rate: string;
              avg_response_time: string;
              token_ttl_seconds: number;
              token_renewable: boolean;
              last_error: string;
              last_error_time: string;
              warnings: string[];
            } & {
              [key: string]: unknown;
            };
            timestamp: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description See body */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            vault_health: {
              /** @enum {string} */
              status: "healthy" | "standby" | "performance_standby" | "sealed" | "uninitialized" | "unhealthy";
              last_check: string;
              total_requests: number;
              success_rate: string;
              avg_response_time: string;
              token_ttl_seconds: number;
              token_renewable: boolean;
              last_error: string;
              last_error_time: string;
              warnings: string[];
            } & {
              [key: string]: unknown;
            };
            timestamp: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
    };
  };
  vaultMetrics: {
    parameters: {
      query?: {
        format?: "json" | "prometheus";
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            vault_metrics: {
              connection: {
                status: string;
                last_health_check: string;
                health_check_duration: string;
              } & {
                [key: string]: unknown;
              };
              requests: {
                total: number;
                successful: number;
                failed: number;
                average_response_time: string;
              } & {
                [key: string]: unknown;
              };
              token: {
                ttl_seconds: number;
                renewable: boolean;
              } & {
                [key: string]: unknown;
              };
              errors: {
                last_error: string;
                last_error_time: string;
              } & {
                [key: string]: unknown;
              };
            } & {
              [key: string]: unknown;
            };
            cache_metrics: {
              total_entries: number;
              total_accesses: number;
              ttl: string;
              oldest_access: string;
              newest_access: string;
              hits: number;
              misses: number;
              hit_rate: string;
              entries_as_of: string | null;
            } & {
              [key: string]: unknown;
            };
            timestamp: number;
          } & {
            [key: string]: unknown;
          };
          "text/plain": string;
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  vaultStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            integration: string;
            version: string;
            features: string[];
            health: {
              status: string;
              last_check: string;
              success_rate: string;
            } & {
              [key: string]: unknown;
            };
            cache: {
              enabled: boolean;
              ttl: string;
              stats: {
                total_entries: number;
                total_accesses: number;
              } & {
                [key: string]: unknown;
              };
            } & {
              [key: string]: unknown;
            };
            monitoring: {
              enabled: boolean;
              connection_status: string;
              is_healthy: boolean;
            } & {
              [key: string]: unknown;
            };
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  vaultCacheClear: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            message: string;
            cleared_stats: {
              total_entries: number;
              total_accesses: number;
              ttl: string;
            } & {
              [key: string]: unknown;
            };
            timestamp: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  vaultTokenRenew: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            message: string;
            token_info: {
              ttl_seconds: number;
              renewable: boolean;
            } & {
              [key: string]: unknown;
            };
            timestamp: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configList: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
        limit?: number;
        offset?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            items: ({
              id: number;
              key: string;
              value: string | null;
              value_sha256_prefix?: string;
              environment: string;
              service_name: string;
              is_encrypted: boolean;
              version: number;
              created_at: string;
              updated_at: string;
            } & {
              [key: string]: unknown;
            })[];
            total: number;
            limit: number;
            offset: number;
            has_more: boolean;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configCreate: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          key: string;
          value: string;
          environment: string;
          service_name: string;
          is_encrypted?: boolean;
        };
      };
    };
    responses: {
      /** @description Success */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: number;
            key: string;
            value: string | null;
            value_sha256_prefix?: string;
            environment: string;
            service_name: string;
            is_encrypted: boolean;
            version: number;
            created_at: string;
            updated_at: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Version conflict (a concurrent writer won, nothing was overwritten), or foreign_shape: data another client wrote in its own shape */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Value or body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description outcome_unknown: the write was sent but Vault did not say whether it happened; read before writing again */
      504: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            vault_enabled: boolean;
            vault: {
              status: string;
            } & {
              [key: string]: unknown;
            };
            mount: {
              path: string;
            } & {
              [key: string]: unknown;
            };
            cache: {
              enabled: boolean;
            } & {
              [key: string]: unknown;
            };
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configCopy: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json":
          | {
              environment: string;
              service_name: string;
              /** @constant */
              from: "vault";
              /** @constant */
              to: "aws";
              /** @default true */
              dry_run?: boolean;
              /** @default false */
              overwrite?: boolean;
              expected?: {
                [key: string]: number;
              };
            }
          | {
              environment: string;
              service_name: string;
              /** @constant */
              from: "aws";
              /** @constant */
              to: "vault";
              /** @default true */
              dry_run?: boolean;
              /** @default false */
              overwrite?: boolean;
              expected?: {
                [key: string]: number;
              };
            };
      };
    };
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            environment: string;
            service_name: string;
            /** @enum {string} */
            from: "vault" | "aws";
            /** @enum {string} */
            to: "vault" | "aws";
            /** @enum {string} */
            routed_to: "vault" | "aws";
            dry_run: boolean;
            summary: {
              create: number;
              update: number;
              unchanged: number;
              differs: number;
              invalid: number;
              conflicts: number;
              failed: number;
            } & {
              [key: string]: unknown;
            };
            items: ({
              key: string;
              /** @enum {string} */
              action: "create" | "update" | "unchanged" | "differs" | "invalid";
              source_version: number;
              target_version: number;
              is_encrypted: boolean;
              value_sha256_prefix: string;
              outcome?: string;
            } & {
              [key: string]: unknown;
            })[];
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configGet: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
        version?: number;
      };
      header?: {
        /** @description no-cache: read Vault rather than a cached copy, and refresh the cache with what it holds */
        "Cache-Control"?: string;
        /** @description The version the client holds, as its ETag ("3", W/"3"), a list of them ("2", "3") or * (any version): 304 Not Modified, without a body, when it is the version this read would serve; the same rights, cache bounds and ?version as the read */
        "If-None-Match"?: string;
      };
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: number;
            key: string;
            value: string | null;
            value_sha256_prefix?: string;
            environment: string;
            service_name: string;
            is_encrypted: boolean;
            version: number;
            created_at: string;
            updated_at: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Not Modified: If-None-Match names the version this read would serve (no body) */
      304: {
        headers: {
          /** @description The version, as a strong ETag ("3") */
          ETag?: string;
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configUpdate: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
        replace?: "true" | "false";
      };
      header?: {
        /** @description The version the change is based on, as its ETag ("3"): 409 when the configuration has moved on */
        "If-Match"?: string;
      };
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          value: string;
          is_encrypted?: boolean;
          expected_version?: number;
        };
      };
    };
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: number;
            key: string;
            value: string | null;
            value_sha256_prefix?: string;
            environment: string;
            service_name: string;
            is_encrypted: boolean;
            version: number;
            created_at: string;
            updated_at: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Version conflict (a concurrent writer won, nothing was overwritten), or foreign_shape: data another client wrote in its own shape */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Value or body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description outcome_unknown: the write was sent but Vault did not say whether it happened; read before writing again */
      504: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configDelete: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
        purge?: "true" | "false";
      };
      header?: {
        /** @description The version the change is based on, as its ETag ("3"): 409 when the configuration has moved on */
        "If-Match"?: string;
      };
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            message: string;
            key: string;
            deleted: boolean;
            version: number;
            purged: boolean;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Version conflict (a concurrent writer won, nothing was overwritten), or foreign_shape: data another client wrote in its own shape */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configVersions: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
      };
      header?: never;
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            key: string;
            environment: string;
            service_name: string;
            current_version: number;
            versions: ({
              version: number;
              created_at: string;
              deleted: boolean;
              destroyed: boolean;
              deletion_time: string | null;
            } & {
              [key: string]: unknown;
            })[];
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configRollback: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
      };
      header?: {
        /** @description The version the change is based on, as its ETag ("3"): 409 when the configuration has moved on */
        "If-Match"?: string;
      };
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          version: number;
          expected_version?: number;
          is_encrypted?: boolean;
        };
      };
    };
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: number;
            key: string;
            value: string | null;
            value_sha256_prefix?: string;
            environment: string;
            service_name: string;
            is_encrypted: boolean;
            version: number;
            created_at: string;
            updated_at: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Version conflict (a concurrent writer won, nothing was overwritten), or foreign_shape: data another client wrote in its own shape */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description outcome_unknown: the write was sent but Vault did not say whether it happened; read before writing again */
      504: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configRotationGet: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
      };
      header?: never;
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            path: string;
            environment: string;
            service_name: string;
            key: string;
            interval_days: number;
            grace_period_hours: number;
            auto_rotate: boolean;
            status: {
              last_rotated_at: string | null;
              next_due_at: string;
              last_outcome: string | null;
              due: boolean;
              overdue: boolean;
            } & {
              [key: string]: unknown;
            };
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configRotationPut: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
      };
      header?: never;
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          interval_days: number;
          /** @default 24 */
          grace_period_hours?: number;
          /** @default true */
          auto_rotate?: boolean;
          /**
           * @default {
           *       "length": 32,
           *       "classes": [
           *         "lower",
           *         "upper",
           *         "digits",
           *         "symbols"
           *       ]
           *     }
           */
          generator?:
            | {
                length: number;
                /**
                 * @default [
                 *       "lower",
                 *       "upper",
                 *       "digits"
                 *     ]
                 */
                classes?: ("lower" | "upper" | "digits" | "symbols")[];
              }
            | {
                /** @enum {string} */
                name: "alnum32" | "hex64" | "base64url32" | "uuid";
              };
        };
      };
    };
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            path: string;
            environment: string;
            service_name: string;
            key: string;
            interval_days: number;
            grace_period_hours: number;
            auto_rotate: boolean;
            status: {
              last_rotated_at: string | null;
              next_due_at: string;
              last_outcome: string | null;
              due: boolean;
              overdue: boolean;
            } & {
              [key: string]: unknown;
            };
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configRotationDelete: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
      };
      header?: never;
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            message: string;
            key: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configRotate: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
      };
      header?: never;
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            message: string;
            key: string;
            version: number;
            previous_version: number;
            is_encrypted: boolean;
            made_sensitive: boolean;
            rotated_at: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Version conflict (a concurrent writer won, nothing was overwritten), or foreign_shape: data another client wrote in its own shape */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description outcome_unknown: the write was sent but Vault did not say whether it happened; read before writing again */
      504: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  configRotationHistory: {
    parameters: {
      query: {
        environment: string;
        service_name: string;
      };
      header?: never;
      path: {
        key: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            key: string;
            history: ({
              at: string;
              outcome: string;
              trigger: string;
              actor: string;
            } & {
              [key: string]: unknown;
            })[];
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rotationStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            policies: ({
              path: string;
              environment: string;
              service_name: string;
              key: string;
              interval_days: number;
              grace_period_hours: number;
              auto_rotate: boolean;
              status: {
                last_rotated_at: string | null;
                next_due_at: string;
                last_outcome: string | null;
                due: boolean;
                overdue: boolean;
              } & {
                [key: string]: unknown;
              };
            } & {
              [key: string]: unknown;
            })[];
            total: number;
            due: number;
            overdue: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  snapshotList: {
    parameters: {
      query?: {
        type?: "full" | "full_versions";
        status?: "completed" | "failed";
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            items: ({
              id: string;
              created_at: string;
              /** @enum {string} */
              type: "full" | "full_versions";
              path_count: number;
              version_count: number;
              size_bytes: number;
              sha256: string;
              status: string;
              expires_at: string;
              storage: string;
            } & {
              [key: string]: unknown;
            })[];
            total: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  snapshotCreate: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: {
      content: {
        "application/json": {
          /**
           * @default full
           * @enum {string}
           */
          type?: "full" | "full_versions";
          /** @default  */
          prefix?: string;
          retention_days?: number;
        };
      };
    };
    responses: {
      /** @description Success */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: string;
            created_at: string;
            /** @enum {string} */
            type: "full" | "full_versions";
            path_count: number;
            version_count: number;
            size_bytes: number;
            sha256: string;
            status: string;
            expires_at: string;
            storage: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  snapshotGet: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: string;
            created_at: string;
            /** @enum {string} */
            type: "full" | "full_versions";
            path_count: number;
            version_count: number;
            size_bytes: number;
            sha256: string;
            status: string;
            expires_at: string;
            storage: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  snapshotDelete: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            message: string;
            id: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  snapshotVerify: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            id: string;
            valid: boolean;
            path_count: number;
            version_count: number;
            sha256: string;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The snapshot does not verify */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  snapshotRestore: {
    parameters: {
      query?: {
        dry_run?: "true" | "false";
        plan_id?: string;
        force?: "true" | "false";
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            snapshot_id: string;
            dry_run: boolean;
            plan_id?: string;
            plan_expires_at?: string;
            summary: {
              create: number;
              change: number;
              unchanged: number;
              conflicts: number;
              failed: number;
            } & {
              [key: string]: unknown;
            };
            items: ({
              path: string;
              /** @enum {string} */
              action: "create" | "change" | "unchanged";
              current_version: number | null;
            } & {
              [key: string]: unknown;
            })[];
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Version conflict (a concurrent writer won, nothing was overwritten), or foreign_shape: data another client wrote in its own shape */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The snapshot does not verify */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Vault (or the shared state store) is unavailable */
      503: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  auditQuery: {
    parameters: {
      query?: {
        from?: string;
        to?: string;
        operation?: string;
        path?: string;
        actor?: string;
        success?: "true" | "false";
        client_ip?: string;
        limit?: number;
        cursor?: string;
        window_minutes?: number;
        threshold?: number;
        baseline_hours?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            items: ({
              at: string;
              operation: string;
              path: string;
              actor: string;
              success: boolean;
            } & {
              [key: string]: unknown;
            })[];
            next_cursor: string | null;
            count: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  auditSummary: {
    parameters: {
      query?: {
        from?: string;
        to?: string;
        operation?: string;
        path?: string;
        actor?: string;
        success?: "true" | "false";
        client_ip?: string;
        limit?: number;
        cursor?: string;
        window_minutes?: number;
        threshold?: number;
        baseline_hours?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            total: number;
            failures: number;
            by_operation: {
              [key: string]: number;
            };
            by_window: ({
              start: string;
              count: number;
            } & {
              [key: string]: unknown;
            })[];
            truncated: boolean;
            oldest_examined?: string | null;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  auditAnomalies: {
    parameters: {
      query?: {
        from?: string;
        to?: string;
        operation?: string;
        path?: string;
        actor?: string;
        success?: "true" | "false";
        client_ip?: string;
        limit?: number;
        cursor?: string;
        window_minutes?: number;
        threshold?: number;
        baseline_hours?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            anomalies: ({
              kind: string;
              subject: string;
              count: number;
              detail: string;
            } & {
              [key: string]: unknown;
            })[];
            examined: number;
            truncated: boolean;
            window_minutes: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Invalid request (JSON error body naming every problem) */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  incidentList: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            items: ({
              id: string;
              at: string;
              alarm_name: string;
              state: string;
              actions: string[];
            } & {
              [key: string]: unknown;
            })[];
            total: number;
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  tokenSelf: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            name: string;
            scopes: string[];
            paths: string[] | null;
            expires_at: string | null;
            sensitive_values: boolean;
            routes: ({
              method: string;
              path: string;
              scope: string;
              allowed: boolean;
              note?: string;
            } & {
              [key: string]: unknown;
            })[];
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description No valid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"] | components["schemas"]["GatewayError"];
        };
      };
      /** @description The token lacks the scope this operation needs */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  openApi: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            openapi: string;
            info: {
              title: string;
              version: string;
            } & {
              [key: string]: unknown;
            };
            paths: {
              [key: string]: unknown;
            };
          } & {
            [key: string]: unknown;
          };
        };
      };
      /** @description Internal error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
}
