// `npm start`: builds what is missing, then runs `kyochi devnet --home ./.devnet` in this same
// process: a 4-validator devnet (created on first start, reused after), one node process per
// validator, their logs prefixed with the node's name. Extra arguments go to `kyochi devnet`;
// later flags win, so `npm start -- --home /tmp/x --validators 1` works too. In-process, so a
// Ctrl-C or a SIGTERM reaches the devnet supervisor directly and every node is stopped.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
execFileSync(process.execPath, [join(root, "scripts", "ensure-built.mjs")], { stdio: "inherit" });
const cli = join(root, "dist", "node", "cli", "main.js");
process.argv = [process.argv[0], cli, "devnet", "--home", join(root, ".devnet"), ...process.argv.slice(2)];
await import(pathToFileURL(cli).href);
