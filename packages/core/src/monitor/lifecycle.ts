import type { Clock } from "../clock";
import { jobNames } from "../job-names";
import type { SnapshotService } from "../snapshot/snapshot-service";
import type { JobRunStore } from "./health-state";

/** The age of the last snapshot and of the last rotation run, for the status endpoint. */
export async function lifecycleStatus(deps: { jobRuns: JobRunStore; snapshots: SnapshotService; clock: Clock }) {
  const [rotation, snapshot] = await Promise.all([deps.jobRuns.last(jobNames.rotation), deps.snapshots.latest()]);
  const now = deps.clock.now();
  const age = (at: number | undefined) => (at === undefined ? null : Math.floor((now - at) / 1000));
  return {
    snapshots: {
      last_snapshot_id: snapshot?.id ?? null,
      last_snapshot_at: snapshot?.created_at ?? null,
      last_snapshot_age_seconds: age(snapshot ? Date.parse(snapshot.created_at) : undefined),
    },
    rotation: {
      last_run_at: rotation ? new Date(rotation.at).toISOString() : null,
      last_run_age_seconds: age(rotation?.at),
      last_run_ok: rotation?.ok ?? null,
    },
  };
}
