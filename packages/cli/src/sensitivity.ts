/**
 * The migration's scan: a proposed sensitivity from the name, a known format, or the value's
 * entropy. When in doubt it says sensitive: a plain config wrongly marked sensitive costs a cache
 * miss, a secret wrongly marked plain ends up in a cache and in events.
 */
const SENSITIVE_NAME =
  /(PASS(WORD|WD)?|(^|[_.-])PWD?($|[_.-])|SECRET|TOKEN|(^|_)KEY($|_)|PRIVATE|CREDENTIAL|CRED($|_)|AUTH|API_?KEY|SIGNING|SALT|DSN|COOKIE|SESSION|CERT)/i;
const KNOWN_FORMATS = [
  /^AKIA[0-9A-Z]{16}$/, // AWS access key id
  /^gh[pousr]_[A-Za-z0-9]{30,}$/, // GitHub tokens
  /^xox[abpr]-/, // Slack tokens
  /^sk_(live|test)_/, // Stripe keys
  /-----BEGIN [A-Z0-9 ]+-----/, // PEM blocks: keys, certificates
  /^hvs\.[A-Za-z0-9_-]{20,}$/, // Vault service tokens
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^@\s]+@/i, // credentials inside a URL, anywhere in the value
  /^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/, // JWTs
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
  // Random-looking strings: long enough, varied enough, not prose, not a number, not a URL without a query.
  const plainUrl = /^[a-z][a-z0-9+.-]*:\/\/[^?#\s@]*$/i.test(value);
  if (value.length >= 16 && entropy(value) >= 3.5 && !/\s/.test(value) && !/^[\d.]+$/.test(value) && !plainUrl)
    return { sensitive: true, reason: "entropy" };
  return { sensitive: false, reason: value === "" ? "empty" : "plain" };
}
