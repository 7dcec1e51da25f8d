import { describe, expect, it } from "vitest";
import { verifyThreadsPerNode } from "./runtime-flags.js";

describe("signature-check threads of nodes sharing a machine", () => {
  it("split the cores between the nodes, at least one each", () => {
    expect(verifyThreadsPerNode(4, 2)).toBe(1);
    expect(verifyThreadsPerNode(4, 16)).toBe(4);
    expect(verifyThreadsPerNode(3, 8)).toBe(2);
    expect(verifyThreadsPerNode(1, 8)).toBe(8);
  });
});
