/**
 * The snapshot domain's data, shared by the service, the restore and the records: a snapshot's
 * manifest and payload, and the requests the API takes.
 */
import * as z from "zod/mini";
import { integer } from "../schema";

export type SnapshotType = "full" | "full_versions";

export interface SnapshotManifest {
  id: string;
  created_at: string;
  type: SnapshotType;
  mount: string;
  prefix: string;
  path_count: number;
  version_count: number;
  /** Bytes of the encrypted blob, and its SHA-256. */
  size_bytes: number;
  sha256: string;
  plaintext_sha256: string;
  status: "completed" | "failed";
  error?: string;
  retention_days: number;
  expires_at: string;
  storage: "s3" | "local";
  location: string;
  key_id: string;
  duration_ms: number;
}

export interface SnapshotVersion {
  version: number;
  created_time: string;
  data: Record<string, unknown>;
}
export interface SnapshotEntry {
  path: string;
  /** Where the path lives when it is not Vault (`aws`: Secrets Manager); absent for Vault. */
  backend?: "aws";
  current_version: number;
  custom_metadata: Record<string, string> | null;
  versions: SnapshotVersion[];
}
export interface SnapshotPayload {
  format: 1;
  mount: string;
  prefix: string;
  created_at: string;
  type: SnapshotType;
  entries: SnapshotEntry[];
}

export type Progress = (done: number, total: number, phase: string) => void;

export const snapshotListQuerySchema = z.object({
  type: z.optional(z.enum(["full", "full_versions"])),
  status: z.optional(z.enum(["completed", "failed"])),
});

export const snapshotCreateSchema = z.object({
  type: z._default(z.enum(["full", "full_versions"]), "full"),
  prefix: z._default(
    // Segments are separated by "/", so the pattern matches in linear time (no nested ambiguity).
    z
      .string()
      .check(
        z.maxLength(512, "prefix is at most 512 characters"),
        z.regex(
          /^(?!.*\.\.)([A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*)*\/?)?$/,
          "prefix must be a path of safe names, without '..'",
        ),
      ),
    "",
  ),
  retention_days: z.optional(integer("retention_days", 1, 3650)),
});
