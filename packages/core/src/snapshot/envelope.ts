import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { AwsClients } from "../aws/clients";
import { SnapshotIntegrityError } from "../errors";

/** Wraps and unwraps per-snapshot data keys: KMS in AWS, a local key file by default. */
export interface KeyProvider {
  readonly keyId: string;
  generateDataKey(): Promise<{ plaintext: Buffer; wrapped: Buffer }>;
  unwrap(wrapped: Buffer): Promise<Buffer>;
}

const MAGIC = "VOPS-SNAPSHOT-1\n";

/** A 256-bit key in a file (created on first use, mode 0600); data keys are wrapped with AES-256-GCM. */
export function localKeyProvider(file: string): KeyProvider {
  // Read (or created) on first use, so that building a context never touches the file system.
  let loaded: { kek: Buffer; keyId: string } | undefined;
  const load = () => {
    if (loaded) return loaded;
    if (!existsSync(file)) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600 });
    }
    const kek = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
    if (kek.length !== 32) throw new Error(`${file} must hold a base64-encoded 32-byte key`);
    loaded = { kek, keyId: `local:${createHash("sha256").update(kek).digest("hex").slice(0, 16)}` };
    return loaded;
  };
  return {
    get keyId() {
      return load().keyId;
    },
    async generateDataKey() {
      const { kek } = load();
      const plaintext = randomBytes(32);
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", kek, iv);
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { plaintext, wrapped: Buffer.concat([iv, cipher.getAuthTag(), body]) };
    },
    async unwrap(wrapped) {
      const { kek, keyId } = load();
      try {
        const decipher = createDecipheriv("aes-256-gcm", kek, wrapped.subarray(0, 12));
        decipher.setAuthTag(wrapped.subarray(12, 28));
        return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
      } catch {
        throw new SnapshotIntegrityError("Snapshot data key does not unwrap with the configured key file", {
          details: keyId,
        });
      }
    },
  };
}

/** KMS GenerateDataKey / Decrypt: the key never leaves KMS; only the wrapped data key is stored. */
export function kmsKeyProvider(clients: AwsClients, keyId: string): KeyProvider {
  const client = () => clients.kms();
  return {
    keyId,
    async generateDataKey() {
      const { GenerateDataKeyCommand } = await import("@aws-sdk/client-kms");
      const out = await (await client()).send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256" }));
      return {
        plaintext: Buffer.from(out.Plaintext as Uint8Array),
        wrapped: Buffer.from(out.CiphertextBlob as Uint8Array),
      };
    },
    async unwrap(wrapped) {
      const { DecryptCommand } = await import("@aws-sdk/client-kms");
      try {
        const out = await (await client()).send(new DecryptCommand({ CiphertextBlob: wrapped, KeyId: keyId }));
        return Buffer.from(out.Plaintext as Uint8Array);
      } catch (error) {
        throw new SnapshotIntegrityError("KMS refused to decrypt the snapshot's data key", {
          details: (error as { name?: string }).name ?? "error",
        });
      }
    },
  };
}

/** AES-256-GCM under a fresh data key; the header carries the wrapped key, IV and tag. */
export async function seal(plaintext: Buffer, keys: KeyProvider): Promise<Buffer> {
  const { plaintext: dataKey, wrapped } = await keys.generateDataKey();
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", dataKey, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const header = JSON.stringify({
    alg: "AES-256-GCM",
    key_id: keys.keyId,
    wrapped_key: wrapped.toString("base64"),
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
  });
  dataKey.fill(0);
  return Buffer.concat([Buffer.from(MAGIC), Buffer.from(`${header}\n`), body]);
}

export async function open(blob: Buffer, keys: KeyProvider): Promise<Buffer> {
  if (!blob.subarray(0, MAGIC.length).equals(Buffer.from(MAGIC))) {
    throw new SnapshotIntegrityError("Not a vaultops snapshot (bad header)");
  }
  const newline = blob.indexOf(0x0a, MAGIC.length);
  let header: { alg: string; wrapped_key: string; iv: string; tag: string };
  try {
    header = JSON.parse(blob.subarray(MAGIC.length, newline).toString("utf8"));
  } catch {
    throw new SnapshotIntegrityError("Snapshot header is corrupt");
  }
  if (header.alg !== "AES-256-GCM") throw new SnapshotIntegrityError(`Unsupported snapshot cipher ${header.alg}`);
  const dataKey = await keys.unwrap(Buffer.from(header.wrapped_key, "base64"));
  try {
    const decipher = createDecipheriv("aes-256-gcm", dataKey, Buffer.from(header.iv, "base64"));
    decipher.setAuthTag(Buffer.from(header.tag, "base64"));
    return Buffer.concat([decipher.update(blob.subarray(newline + 1)), decipher.final()]);
  } catch {
    throw new SnapshotIntegrityError("Snapshot does not decrypt: it was modified or the key is wrong");
  } finally {
    dataKey.fill(0);
  }
}
