/** Loads the test-vector files of test/fixtures/vectors (a copy of ../shared/vectors). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: this file compiles to dist/test/utils/vectors.js. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
export const VECTORS_DIR = join(REPO_ROOT, "test", "fixtures", "vectors");
export const SHARED_VECTORS_DIR = join(REPO_ROOT, "..", "shared", "vectors");

export function readVectorBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(VECTORS_DIR, name)));
}

export function readVectorText(name: string): string {
  return readFileSync(join(VECTORS_DIR, name), "utf8");
}

export function readVectorJson<T>(name: string): T {
  return JSON.parse(readVectorText(name)) as T;
}
