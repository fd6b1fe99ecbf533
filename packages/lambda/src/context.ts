import { createContext, loadSettings, type VaultopsContext } from "@vaultops/core";

let current: VaultopsContext | undefined;

/** The container's context, built on first use from the environment that infra (or the dev runtime) sets. */
export function defaultContext(): VaultopsContext {
  current ??= createContext(loadSettings(process.env));
  return current;
}

/** Forgets the container's context (the local runtime calls it when it changes the environment). */
export function resetDefaultContext(): void {
  current?.clients.destroy();
  current = undefined;
}

export type ContextProvider = () => VaultopsContext;
