import { describe, expect, it } from "vitest";
import { decodeTensors, encodeTensors } from "../../crypto/inference-output.js";
import { NodeError } from "../errors.js";
import { tensorsFromJson, tensorsToJson } from "./tensor-json.js";

describe("tensors as JSON (kyochi compute encode|decode)", () => {
  it("round-trips through the canonical encoding, 64-bit integers as decimal strings", () => {
    const json = {
      x: { dtype: "float32", dims: [1, 3], data: [0.5, -1.25, 3] },
      ids: { dtype: "int64", dims: [2], data: ["9007199254740993", "-7"] },
      mask: { dtype: "bool", dims: [2], data: [true, false] },
    };
    const bytes = encodeTensors(tensorsFromJson(json));
    expect(tensorsToJson(decodeTensors(bytes))).toEqual(json);
  });

  it("names the tensor and the field it refuses", () => {
    expect(() => tensorsFromJson({ x: { dtype: "complex64", dims: [1], data: [1] } })).toThrow(
      /tensor "x": dtype/,
    );
    expect(() => tensorsFromJson({ x: { dtype: "int32", dims: [2], data: [1, 1.5] } })).toThrow(
      /data\[1\] must be an integer/,
    );
    expect(() => tensorsFromJson({ x: { dtype: "int64", dims: [1], data: ["1e3"] } })).toThrow(NodeError);
    expect(() => tensorsFromJson([1, 2])).toThrow(/must be an object/);
  });
});
