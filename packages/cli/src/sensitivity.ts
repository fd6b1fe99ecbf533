/** seed 003's scan_for_secrets: a proposed sensitivity from the name and from the value's entropy. */
const SENSITIVE_NAME =
  /(PASS(WORD|WD)?|SECRET|TOKEN|(^|_)KEY($|_)|PRIVATE|CREDENTIAL|AUTH|API_?KEY|SIGNING|SALT|DSN|COOKIE|SESSION)/i;
const KNOWN_FORMATS = [
  /^AKIA[0-9A-Z]{16}$/, // AWS access key id
  /^gh[pousr]_[A-Za-z0-9]{30,}$/, // GitHub tokens
  /^xox[abpr]-/, // Slack tokens
  /^sk_(live|test)_/, // Stripe keys
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^hvs\.[A-Za-z0-9_-]{20,}$/, // Vault service tokens
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:]+:[^@\s]+@/i, // URLs with a password
];

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  if (!value) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

export interface Sensitivity {
  sensitive: boolean;
  reason: string;
}

export function classify(key: string, value: string): Sensitivity {
  if (SENSITIVE_NAME.test(key)) return { sensitive: true, reason: "name" };
  if (KNOWN_FORMATS.some((re) => re.test(value))) return { sensitive: true, reason: "format" };
  if (value.length >= 16 && entropy(value) >= 3.5 && !/\s/.test(value)) return { sensitive: true, reason: "entropy" };
  return { sensitive: false, reason: value === "" ? "empty" : "plain" };
}
