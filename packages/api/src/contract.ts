import {
  auditQuerySchema,
  configRefSchema,
  copyRequestSchema,
  createConfigSchema,
  listQuerySchema,
  metricsQuerySchema,
  PLAN_ID_PATTERN,
  rollbackSchema,
  rotationPolicySchema,
  snapshotCreateSchema,
  snapshotListQuerySchema,
  updateConfigSchema,
  versionQuerySchema,
} from "@vaultops/core";
import * as z from "zod/mini";
import {
  auditAnomalies,
  auditPage,
  auditSummary,
  cacheClearResponse,
  configCopyReport,
  configDeleted,
  configList,
  configRecord,
  configStatus,
  configVersions,
  healthResponse,
  incidentList,
  metricsResponse,
  openApiResponse,
  rotateResponse,
  rotationDeleted,
  rotationHistory,
  rotationPolicy,
  rotationStatusAll,
  snapshotDeleted,
  snapshotList,
  snapshotManifest,
  snapshotRestoreReport,
  snapshotVerified,
  statusResponse,
  tokenRenewResponse,
  tokenSelfResponse,
} from "./response-schemas";
import type { RouteId } from "./routes";

/**
 * The request and response schemas of every route of the table: the same schemas the handlers parse
 * requests with. openapi.ts turns routes + contract into the OpenAPI document.
 */
export interface RouteContract {
  query?: z.ZodMiniType;
  body?: z.ZodMiniType;
  /** Schemas of the path parameters named in the route's path. */
  path?: Record<string, z.ZodMiniType>;
  /**
   * Success responses; a `text` entry is text/plain (Prometheus exposition), a `notModified` entry a 304
   * without a body (only the ETag header).
   */
  responses: Record<number, z.ZodMiniType | "text" | "notModified">;
  /** Error statuses this route can answer beyond the common ones (401, 403, 500). */
  errors?: number[];
  /** Request headers the route reads. */
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
}

const ifMatch = {
  "If-Match": {
    description: 'The version the change is based on, as its ETag ("3"): 409 when the configuration has moved on',
    schema: { type: "string", pattern: '^(W/)?"?[0-9]+"?$' },
  },
};
const noCache = {
  "Cache-Control": {
    description: "no-cache: read Vault rather than a cached copy, and refresh the cache with what it holds",
    schema: { type: "string" },
  },
};

const ifNoneMatch = {
  "If-None-Match": {
    description:
      'The version the client holds, as its ETag ("3", W/"3"), a list of them ("2", "3") or * (any version): 304 Not Modified, without a body, when it is the version this read would serve; the same rights, cache bounds and ?version as the read',
    schema: { type: "string", pattern: '^\\s*(\\*|(W/)?"?[0-9]+"?(\\s*,\\s*(W/)?"?[0-9]+"?)*)\\s*$' },
  },
};

const scopeQuery = z.object({
  environment: configRefSchema.shape.environment,
  service_name: configRefSchema.shape.service_name,
});
const versionQuery = z.object({
  ...scopeQuery.shape,
  version: versionQuerySchema,
});
const keyPath = { key: configRefSchema.shape.key };
const idPath = { id: z.string().check(z.regex(/^snap-[0-9A-Za-z]{1,32}-[0-9a-f]{6}$/)) };
const deleteQuery = z.object({ ...scopeQuery.shape, purge: z.optional(z.enum(["true", "false"])) });
const updateQuery = z.object({ ...scopeQuery.shape, replace: z.optional(z.enum(["true", "false"])) });
const restoreQuery = z.object({
  dry_run: z._default(z.enum(["true", "false"]), "true"),
  plan_id: z.optional(z.string().check(z.regex(PLAN_ID_PATTERN))),
  force: z.optional(z.enum(["true", "false"])),
});

export const contract: Record<RouteId, RouteContract> = {
  vaultHealth: { responses: { 200: healthResponse, 503: healthResponse } },
  vaultMetrics: { query: metricsQuerySchema, responses: { 200: metricsResponse }, errors: [400, 503] },
  vaultStatus: { responses: { 200: statusResponse }, errors: [503] },
  vaultCacheClear: { responses: { 200: cacheClearResponse }, errors: [503] },
  vaultTokenRenew: { responses: { 200: tokenRenewResponse }, errors: [400, 503] },
  configCreate: { body: createConfigSchema, responses: { 201: configRecord }, errors: [400, 409, 413, 503, 504] },
  configList: { query: listQuerySchema, responses: { 200: configList }, errors: [400, 503] },
  configCopy: { body: copyRequestSchema, responses: { 200: configCopyReport }, errors: [400, 404, 503] },
  configStatus: { responses: { 200: configStatus } },
  configGet: {
    query: versionQuery,
    path: keyPath,
    headers: { ...noCache, ...ifNoneMatch },
    responses: { 200: configRecord, 304: "notModified" },
    errors: [400, 404, 503],
  },
  configUpdate: {
    query: updateQuery,
    path: keyPath,
    headers: ifMatch,
    body: updateConfigSchema,
    responses: { 200: configRecord },
    errors: [400, 404, 409, 413, 503, 504],
  },
  configDelete: {
    query: deleteQuery,
    path: keyPath,
    headers: ifMatch,
    responses: { 200: configDeleted },
    errors: [400, 404, 409, 503],
  },
  configVersions: { query: scopeQuery, path: keyPath, responses: { 200: configVersions }, errors: [400, 404, 503] },
  configRollback: {
    query: scopeQuery,
    path: keyPath,
    headers: ifMatch,
    body: rollbackSchema,
    responses: { 200: configRecord },
    errors: [400, 404, 409, 503, 504],
  },
  configRotationPut: {
    query: scopeQuery,
    path: keyPath,
    body: rotationPolicySchema,
    responses: { 200: rotationPolicy },
    errors: [400, 404, 503],
  },
  configRotationGet: { query: scopeQuery, path: keyPath, responses: { 200: rotationPolicy }, errors: [400, 404] },
  configRotationDelete: { query: scopeQuery, path: keyPath, responses: { 200: rotationDeleted }, errors: [400, 404] },
  configRotate: {
    query: scopeQuery,
    path: keyPath,
    responses: { 200: rotateResponse },
    errors: [400, 404, 409, 503, 504],
  },
  configRotationHistory: { query: scopeQuery, path: keyPath, responses: { 200: rotationHistory }, errors: [400] },
  rotationStatus: { responses: { 200: rotationStatusAll } },
  snapshotCreate: { body: snapshotCreateSchema, responses: { 201: snapshotManifest }, errors: [400, 503] },
  snapshotList: { query: snapshotListQuerySchema, responses: { 200: snapshotList }, errors: [400] },
  snapshotGet: { path: idPath, responses: { 200: snapshotManifest }, errors: [400, 404] },
  snapshotVerify: { path: idPath, responses: { 200: snapshotVerified }, errors: [400, 404, 422] },
  snapshotRestore: {
    path: idPath,
    query: restoreQuery,
    responses: { 200: snapshotRestoreReport },
    errors: [400, 404, 409, 422, 503],
  },
  snapshotDelete: { path: idPath, responses: { 200: snapshotDeleted }, errors: [400, 404] },
  auditQuery: { query: auditQuerySchema, responses: { 200: auditPage }, errors: [400] },
  auditSummary: { query: auditQuerySchema, responses: { 200: auditSummary }, errors: [400] },
  auditAnomalies: { query: auditQuerySchema, responses: { 200: auditAnomalies }, errors: [400] },
  incidentList: { responses: { 200: incidentList } },
  tokenSelf: { responses: { 200: tokenSelfResponse } },
  openApi: { responses: { 200: openApiResponse } },
};
