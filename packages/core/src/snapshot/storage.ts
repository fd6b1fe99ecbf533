import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { AwsClients } from "../aws/clients";
import { NotFoundError, SnapshotStorageError } from "../errors";

const storageFailure = (what: string, error: unknown) =>
  new SnapshotStorageError("Snapshot storage is not available", {
    cause: error,
    details: `${what}: ${(error as { code?: string; name?: string }).code ?? (error as { name?: string }).name ?? "error"}`,
  });

/** Where encrypted snapshot blobs live: S3 in AWS, a local directory by default. */
export interface SnapshotStorage {
  readonly kind: "s3" | "local";
  put(id: string, blob: Buffer): Promise<string>;
  get(id: string): Promise<Buffer>;
  delete(id: string): Promise<void>;
}

export function localStorage(dir: string): SnapshotStorage {
  const file = (id: string) => path.join(dir, `${id}.vsnap`);
  return {
    kind: "local",
    async put(id, blob) {
      try {
        await mkdir(dir, { recursive: true });
        await writeFile(file(id), blob, { mode: 0o600 });
      } catch (error) {
        throw storageFailure(`write ${dir}`, error);
      }
      return file(id);
    },
    async get(id) {
      try {
        return await readFile(file(id));
      } catch {
        throw new NotFoundError("Snapshot file not found", { details: id });
      }
    },
    async delete(id) {
      await rm(file(id), { force: true });
    },
  };
}

export function s3Storage(clients: AwsClients, bucket: string, prefix = "snapshots/"): SnapshotStorage {
  const client = () => clients.s3();
  const key = (id: string) => `${prefix}${id}.vsnap`;
  return {
    kind: "s3",
    async put(id, blob) {
      const { PutObjectCommand } = await import("@aws-sdk/client-s3");
      try {
        await (await client()).send(
          new PutObjectCommand({ Bucket: bucket, Key: key(id), Body: blob, ContentType: "application/octet-stream" }),
        );
      } catch (error) {
        throw storageFailure(`s3://${bucket}`, error);
      }
      return `s3://${bucket}/${key(id)}`;
    },
    async get(id) {
      const { GetObjectCommand } = await import("@aws-sdk/client-s3");
      try {
        const out = await (await client()).send(new GetObjectCommand({ Bucket: bucket, Key: key(id) }));
        return Buffer.from(await (out.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
      } catch (error) {
        if ((error as { name?: string }).name === "NoSuchKey")
          throw new NotFoundError("Snapshot object not found", { details: key(id) });
        throw error;
      }
    },
    async delete(id) {
      const { DeleteObjectCommand } = await import("@aws-sdk/client-s3");
      await (await client()).send(new DeleteObjectCommand({ Bucket: bucket, Key: key(id) }));
    },
  };
}
