// The few messages of ONNX's onnx.proto (https://github.com/onnx/onnx/blob/main/onnx/onnx.proto)
// needed to write a model file: field numbers and types exactly as upstream, everything else left
// out (protobuf readers skip what they do not know, and we only write). Parsed at run time by
// protobufjs so the schema lives in the source and needs no generated code or copied .proto file.
// The project's protobufjs setting (64-bit fields as plain numbers) must be in force before this
// file parses its schema: a field parsed while Long is set and resolved after it is unset breaks.
import "../../../proto/runtime.js";
import protobuf from "protobufjs";

const ONNX_SUBSET_PROTO = `
syntax = "proto2";
package onnx;

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  optional string name = 8;
  optional bytes raw_data = 9;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    optional int32 elem_type = 1;
    optional TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}

message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
}
`;

/** TensorProto.DataType.FLOAT. */
export const ONNX_FLOAT = 1;

/** onnx.ModelProto, for encoding plain objects (field names in camelCase, as protobufjs maps them). */
export const ModelProtoType: protobuf.Type = protobuf
  .parse(ONNX_SUBSET_PROTO)
  .root.lookupType("onnx.ModelProto");

export interface OnnxDimension {
  dimValue?: number;
  dimParam?: string;
}
export interface OnnxValueInfo {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: OnnxDimension[] } } };
}
export interface OnnxNode {
  input: string[];
  output: string[];
  name: string;
  opType: string;
}
export interface OnnxInitializer {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}
export interface OnnxModel {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  opsetImport: { domain: string; version: number }[];
  graph: {
    name: string;
    node: OnnxNode[];
    initializer: OnnxInitializer[];
    input: OnnxValueInfo[];
    output: OnnxValueInfo[];
  };
}

/** The ModelProto bytes of `model`, after protobufjs checks the object against the schema. */
export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const invalid = ModelProtoType.verify(model);
  if (invalid) throw new TypeError(`ONNX model object: ${invalid}`);
  return ModelProtoType.encode(ModelProtoType.fromObject(model)).finish();
}
