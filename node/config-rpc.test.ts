// The JSON-RPC limit and CORS keys and the gRPC limit keys of the node config: defaults, file,
// KYOCHI_RPC_* / KYOCHI_GRPC_* environment variables and flags, and the errors that name a bad value.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { defaultConfig, loadConfig, renderConfigToml } from "./config.js";
import { NodeError } from "./errors.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function file(contents: string): string {
  const dir = mkdtempSync(join(tmpdir(), "kyochi-config-rpc-"));
  dirs.push(dir);
  const path = join(dir, "config.toml");
  writeFileSync(path, contents);
  return path;
}

function configError(load: () => unknown): NodeError {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(NodeError);
    expect((err as NodeError).code).toBe("CONFIG_INVALID");
    return err as NodeError;
  }
  throw new Error("the config was accepted");
}

describe("rpc limits and CORS config", () => {
  it("has defaults that allow no browser origin and cap requests and connections", () => {
    const rpc = loadConfig(undefined).rpc;
    expect(rpc).toMatchObject({
      max_concurrent_requests: 256,
      max_connections_per_ip: 100,
      max_open_connections: 900,
      cors_allowed_origins: "",
      cors_allowed_headers: "",
    });
    // The rendered config file carries them, so an operator sees and can edit them.
    const toml = renderConfigToml(defaultConfig());
    for (const key of [
      "max_concurrent_requests",
      "max_connections_per_ip",
      "max_open_connections",
      "cors_allowed_origins",
    ])
      expect(toml).toContain(key);
  });

  it("reads the keys from the file, the environment and flags", () => {
    const path = file(
      '[rpc]\nmax_concurrent_requests = 32\ncors_allowed_origins = "https://app.example"\ncors_allowed_headers = "x-api-key"\n',
    );
    const fromFile = loadConfig(path).rpc;
    expect(fromFile.max_concurrent_requests).toBe(32);
    expect(fromFile.cors_allowed_origins).toBe("https://app.example");
    expect(fromFile.cors_allowed_headers).toBe("x-api-key");

    const fromEnv = loadConfig(path, {
      KYOCHI_RPC_MAX_CONCURRENT_REQUESTS: "8",
      KYOCHI_RPC_MAX_CONNECTIONS_PER_IP: "4",
      KYOCHI_RPC_MAX_OPEN_CONNECTIONS: "50",
      KYOCHI_RPC_CORS_ALLOWED_ORIGINS: "https://a.example, http://localhost:3000",
    }).rpc;
    expect(fromEnv).toMatchObject({
      max_concurrent_requests: 8,
      max_connections_per_ip: 4,
      max_open_connections: 50,
      cors_allowed_origins: "https://a.example, http://localhost:3000",
    });

    const fromFlags = loadConfig(
      path,
      { KYOCHI_RPC_MAX_CONNECTIONS_PER_IP: "4" },
      { "rpc.max_connections_per_ip": "9", "rpc.cors_allowed_origins": "*" },
    ).rpc;
    expect(fromFlags.max_connections_per_ip).toBe(9);
    expect(fromFlags.cors_allowed_origins).toBe("*");
  });

  it("refuses bad values with errors naming the key", () => {
    expect(
      configError(() => loadConfig(undefined, { KYOCHI_RPC_MAX_CONCURRENT_REQUESTS: "0" })).message,
    ).toMatch(/rpc\.max_concurrent_requests/);
    expect(
      configError(() => loadConfig(undefined, {}, { "rpc.max_connections_per_ip": "lots" })).message,
    ).toMatch(/rpc\.max_connections_per_ip/);
    expect(configError(() => loadConfig(file("[rpc]\nmax_open_connections = -1\n"))).message).toMatch(
      /rpc\.max_open_connections/,
    );
    const origin = configError(() =>
      loadConfig(undefined, {
        KYOCHI_RPC_CORS_ALLOWED_ORIGINS: "https://ok.example,https://bad.example/app",
      }),
    );
    expect(origin.message).toMatch(/rpc\.cors_allowed_origins/);
    expect(origin.message).toMatch(/https:\/\/bad\.example\/app/);
    expect(
      configError(() => loadConfig(file('[rpc]\ncors_allowed_origins = ["https://a.example"]\n'))).message,
    ).toMatch(/rpc\.cors_allowed_origins/);
    expect(
      configError(() => loadConfig(undefined, {}, { "rpc.cors_allowed_headers": "bad header" })).message,
    ).toMatch(/rpc\.cors_allowed_headers.*bad header/);
  });
});

describe("grpc limits config", () => {
  it("caps calls, streams and streams per connection by default, and reads each key", () => {
    expect(loadConfig(undefined).grpc).toMatchObject({
      max_concurrent_requests: 256,
      max_streams: 100,
      max_streams_per_connection: 100,
    });
    const toml = renderConfigToml(defaultConfig());
    for (const key of ["max_streams", "max_streams_per_connection"]) expect(toml).toContain(key);
    const path = file("[grpc]\nmax_concurrent_requests = 16\n");
    const loaded = loadConfig(
      path,
      { KYOCHI_GRPC_MAX_STREAMS: "5" },
      { "grpc.max_streams_per_connection": "12" },
    ).grpc;
    expect(loaded).toMatchObject({
      max_concurrent_requests: 16,
      max_streams: 5,
      max_streams_per_connection: 12,
    });
  });

  it("refuses bad values with errors naming the key", () => {
    expect(
      configError(() => loadConfig(undefined, { KYOCHI_GRPC_MAX_CONCURRENT_REQUESTS: "0" })).message,
    ).toMatch(/grpc\.max_concurrent_requests/);
    expect(configError(() => loadConfig(undefined, {}, { "grpc.max_streams": "many" })).message).toMatch(
      /grpc\.max_streams/,
    );
    expect(configError(() => loadConfig(file("[grpc]\nmax_streams_per_connection = 1.5\n"))).message).toMatch(
      /grpc\.max_streams_per_connection/,
    );
  });
});
