import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { encode } from "../../proto/canonical.js";
import {
  encodeTxsRequest,
  encodeTxsResponse,
  parseTxsRequest,
  parseTxsResponse,
  txsRequestMaxBytes,
} from "./txs-protocol.js";
import { TxsRequest } from "./wire.js";

const txs = [randomBytes(190), randomBytes(200), randomBytes(210)].map((b) => new Uint8Array(b));
const hashes = txs.map((t) => sha256(t));
const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString("hex"));

describe("the txs protocol", () => {
  it("asks by hash and answers in request order, empty where the peer has none", () => {
    const req = encodeTxsRequest(hashes);
    expect(req.length).toBeLessThanOrEqual(txsRequestMaxBytes(3));
    expect(parseTxsRequest(req, 3).map(hex)).toEqual(hashes.map(hex));
    const res = encodeTxsResponse([txs[0], undefined, txs[2]], 1 << 20);
    expect(parseTxsResponse(res, hashes).map(hex)).toEqual([hex(txs[0]), undefined, hex(txs[2])]);
  });

  it("leaves out txs past the response's byte cap (the requester asks again)", () => {
    const res = encodeTxsResponse(txs, 450);
    expect(parseTxsResponse(res, hashes).map(hex)).toEqual([hex(txs[0]), hex(txs[1]), undefined]);
  });

  it("refuses requests that are empty, ragged or over the limit", () => {
    const raw = (hashes: Uint8Array) => encode(TxsRequest, TxsRequest.create({ hashes }));
    expect(() => parseTxsRequest(raw(new Uint8Array(0)), 3)).toThrow(/0 hash bytes/);
    expect(() => parseTxsRequest(raw(new Uint8Array(33)), 3)).toThrow(/33 hash bytes/);
    expect(() => parseTxsRequest(encodeTxsRequest(hashes), 2)).toThrow(/limit 2/);
  });

  it("refuses answers with other txs than asked, or another count", () => {
    const swapped = encodeTxsResponse([txs[1], txs[0], txs[2]], 1 << 20);
    expect(() => parseTxsResponse(swapped, hashes)).toThrow(/tx 0 does not hash/);
    expect(() => parseTxsResponse(encodeTxsResponse(txs.slice(0, 2), 1 << 20), hashes)).toThrow(
      /2 txs for 3/,
    );
  });
});
