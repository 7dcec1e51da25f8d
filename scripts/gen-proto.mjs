// Generates the static protobufjs code (and a JSON descriptor) for every schema under proto/kyochi
// into proto/gen.
// Generated at install and build time (never committed), so it can never drift from the .proto files.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "node_modules", ".bin");
if (!existsSync(join(bin, "pbjs"))) {
  // Production installs (npm ci --omit=dev) use the code generated in the build stage.
  console.log("gen-proto: protobufjs-cli not installed, skipping");
  process.exit(0);
}
const schemaDir = join(root, "proto", "kyochi");
const outDir = join(root, "proto", "gen");
mkdirSync(outDir, { recursive: true });
const schemas = readdirSync(schemaDir, { recursive: true })
  .filter((f) => String(f).endsWith(".proto"))
  .map((f) => join("kyochi", String(f)))
  .sort();
const js = join(outDir, "kyochi.js");
execFileSync(
  join(bin, "pbjs"),
  [
    "-t",
    "static-module",
    "-w",
    "es6",
    "--force-number",
    "--no-delimited",
    "--no-service",
    "-p",
    ".",
    "-o",
    js,
    ...schemas,
  ],
  { stdio: "inherit", cwd: join(root, "proto") },
);
execFileSync(join(bin, "pbts"), ["--no-comments", "-o", join(outDir, "kyochi.d.ts"), js], {
  stdio: "inherit",
});
// The same schemas as a JSON descriptor, services included (the static code above has none): the
// gRPC server builds its service definitions and reflection from it (rpc/grpc/descriptor.ts).
execFileSync(join(bin, "pbjs"), ["-t", "json", "-p", ".", "-o", join(outDir, "kyochi.json"), ...schemas], {
  stdio: "inherit",
  cwd: join(root, "proto"),
});
