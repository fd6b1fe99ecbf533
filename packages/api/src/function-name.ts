/**
 * A function's name, from its handler: the handler file's path under functions/, slashes as dashes
 * (`functions/config/get.handler` -> `config-get`): dist/functions/<name>, the emulator's function
 * name, and the name its AWS calls are recorded under. A module of its own: the edge imports it.
 */
export const functionName = (handler: string): string =>
  handler
    .slice(0, handler.lastIndexOf("."))
    .replace(/^functions\//, "")
    .replace(/\//g, "-");
