import type { AuditLike } from "./analysis";

export interface VaultAuditRecord extends AuditLike {
  requestId?: string;
  mountType?: string;
  error?: string;
}

export interface ParsedVaultAuditLog {
  records: VaultAuditRecord[];
  /** Request lines are skipped (their response carries the outcome); other lines that are not audit entries are counted. */
  requests: number;
  malformed: Array<{ line: number; error: string }>;
}

interface VaultAuditLine {
  time?: string;
  type?: string;
  error?: string;
  auth?: { display_name?: string; entity_id?: string };
  request?: { id?: string; operation?: string; path?: string; remote_address?: string; mount_type?: string };
}

/**
 * Parses Vault's file audit device (JSON lines). One record per response: the operation, the path,
 * who (display name or entity), the client address and whether it failed. Tokens in the log are
 * HMACs and are not carried over.
 */
export function parseVaultAuditLog(text: string): ParsedVaultAuditLog {
  const out: ParsedVaultAuditLog = { records: [], requests: 0, malformed: [] };
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    let entry: VaultAuditLine;
    try {
      entry = JSON.parse(line) as VaultAuditLine;
    } catch {
      out.malformed.push({ line: index + 1, error: "not JSON" });
      return;
    }
    if (entry.type === "request") {
      out.requests++;
      return;
    }
    if (entry.type !== "response" || !entry.time || !entry.request?.path || !entry.request.operation) {
      out.malformed.push({ line: index + 1, error: "not a Vault audit response entry" });
      return;
    }
    const record: VaultAuditRecord = {
      at: new Date(entry.time).toISOString(),
      operation: entry.request.operation,
      path: entry.request.path,
      actor: entry.auth?.display_name || entry.auth?.entity_id || "unknown",
      success: !entry.error,
    };
    if (entry.request.remote_address) record.sourceIp = entry.request.remote_address;
    if (entry.request.id) record.requestId = entry.request.id;
    if (entry.request.mount_type) record.mountType = entry.request.mount_type;
    if (entry.error) record.error = entry.error;
    out.records.push(record);
  });
  return out;
}
