// Builds the project when dist/ is missing or older than any source file, so `npm start`,
// `npm test` and `npm run bench` work on a fresh clone without a separate build step.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDirs = [
  "node",
  "consensus",
  "state",
  "execution",
  "rpc",
  "genesis",
  "scripts",
  "proto",
  "crypto",
];
const stamp = join(root, "dist", ".build-stamp");

function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "gen") walk(p);
      } else if (/\.(ts|proto)$/.test(entry.name) && !entry.name.endsWith(".test.ts")) {
        newest = Math.max(newest, statSync(p).mtimeMs);
      }
    }
  };
  for (const d of sourceDirs) walk(join(root, d));
  return newest;
}

if (!existsSync(stamp) || statSync(stamp).mtimeMs < newestSource()) {
  // The build writes the stamp (scripts/copy-generated.mjs).
  execSync("npm run --silent build", { cwd: root, stdio: "inherit" });
}
