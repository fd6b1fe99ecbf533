import { randomBytes, randomInt, randomUUID } from "node:crypto";
import * as z from "zod/mini";
import { integer } from "../schema";

export const CHARACTER_CLASSES = {
  lower: "abcdefghijklmnopqrstuvwxyz",
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  digits: "0123456789",
  // Symbols that survive shells, URLs and connection strings without quoting.
  symbols: "!#%+-=@^_~",
} as const;
export type CharacterClass = keyof typeof CHARACTER_CLASSES;

export const NAMED_GENERATORS = ["alnum32", "hex64", "base64url32", "uuid"] as const;
export type NamedGenerator = (typeof NAMED_GENERATORS)[number];

export const generatorSchema = z.union([
  z.object({
    length: integer("length", 8, 4096),
    classes: z._default(
      z.array(z.enum(["lower", "upper", "digits", "symbols"])).check(z.minLength(1, "at least one character class")),
      ["lower", "upper", "digits"],
    ),
  }),
  z.object({ name: z.enum(NAMED_GENERATORS) }),
]);
export type GeneratorSpec = z.infer<typeof generatorSchema>;

export const DEFAULT_GENERATOR: GeneratorSpec = { length: 32, classes: ["lower", "upper", "digits", "symbols"] };

/** A fresh secret from the CSPRNG: every requested class appears at least once, positions uniform. */
export function generateSecret(spec: GeneratorSpec): string {
  if ("name" in spec) {
    switch (spec.name) {
      case "alnum32":
        return generateSecret({ length: 32, classes: ["lower", "upper", "digits"] });
      case "hex64":
        return randomBytes(32).toString("hex");
      case "base64url32":
        return randomBytes(32).toString("base64url");
      case "uuid":
        return randomUUID();
    }
  }
  const classes = [...new Set(spec.classes)] as CharacterClass[];
  const alphabet = classes.map((c) => CHARACTER_CLASSES[c]).join("");
  const chars: string[] = classes.map((c) => {
    const set = CHARACTER_CLASSES[c];
    return set[randomInt(set.length)] as string;
  });
  while (chars.length < spec.length) chars.push(alphabet[randomInt(alphabet.length)] as string);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j] as string, chars[i] as string];
  }
  return chars.join("");
}
