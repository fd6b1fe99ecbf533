#!/usr/bin/env node
// The `vaultops` command: TypeScript sources run through tsx's loader (a dev dependency of the repo).
import { register } from "tsx/esm/api";

register();
await import("../src/main.ts");
