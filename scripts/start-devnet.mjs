// `npm start`: builds what is missing, then runs the devnet in ./.devnet (created on first start,
// reused after). Extra arguments are passed to `kyochi devnet`.
import { execFileSync, spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(process.execPath, [join(root, "scripts", "ensure-built.mjs")], { stdio: "inherit" });
const child = spawn(
  process.execPath,
  [
    join(root, "dist", "node", "cli", "main.js"),
    "devnet",
    "--home",
    join(root, ".devnet"),
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
// Ctrl-C reaches the child through the terminal's process group; forward TERM explicitly.
process.on("SIGTERM", () => child.kill("SIGTERM"));
process.on("SIGINT", () => {});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
