// tsc does not copy the generated JavaScript next to the compiled code; this does.
import { cpSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
mkdirSync(join(root, "dist", "proto", "gen"), { recursive: true });
cpSync(join(root, "proto", "gen"), join(root, "dist", "proto", "gen"), { recursive: true });
