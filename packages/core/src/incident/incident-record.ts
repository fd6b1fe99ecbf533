/** An incident as it is recorded (and listed): the alarm, its scope, and what was done about it. */
export interface IncidentRecord {
  id: string;
  at: string;
  alarm_name: string;
  alarm_arn: string;
  state: string;
  reason: string;
  scope: { environment?: string; service_name?: string; key?: string };
  actions: string[];
  cache_entries_cleared: number;
  rotated: Array<{ path: string; version?: number; error?: string }>;
}
