// Runs after tsc: copies the generated protobuf JavaScript (which tsc does not emit) next to the
// compiled code, and stamps the build so scripts/ensure-built.mjs knows it is current.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
mkdirSync(join(root, "dist", "proto", "gen"), { recursive: true });
cpSync(join(root, "proto", "gen"), join(root, "dist", "proto", "gen"), { recursive: true });
writeFileSync(join(root, "dist", ".build-stamp"), String(Date.now()));
