import protobuf from 'protobufjs';

/**
 * The subset of onnx/onnx.proto (IR version 7) that the converter writes. Field numbers are copied
 * from the upstream schema; enums are declared as int32, which is the same on the wire.
 */
const ONNX_SUBSET = `
syntax = "proto2";
package onnx;

message AttributeProto {
  optional string name = 1;
  optional int32 type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  repeated float floats = 7;
  repeated int64 ints = 8;
}

message ValueInfoProto {
  optional string name = 1;
  optional TypeProto type = 2;
  optional string doc_string = 3;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
}

message StringStringEntryProto {
  optional string key = 1;
  optional string value = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  optional string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
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

message OperatorSetIdProto {
  optional string domain = 1;
  optional int64 version = 2;
}

message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name: string;
  op_type: string;
  attribute: AttributeProto[];
}

export interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

export interface ValueInfoProto {
  name: string;
  doc_string?: string;
  type: {
    tensor_type: {
      elem_type: number;
      shape: { dim: Array<{ dim_value: number } | { dim_param: string }> };
    };
  };
}

export interface GraphProto {
  name: string;
  doc_string?: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
}

export interface ModelProto {
  ir_version: number;
  opset_import: Array<{ domain: string; version: number }>;
  producer_name: string;
  producer_version: string;
  doc_string?: string;
  graph: GraphProto;
  metadata_props: Array<{ key: string; value: string }>;
}

const modelType = protobuf.parse(ONNX_SUBSET, { keepCase: true }).root.lookupType('onnx.ModelProto');

/** Serialises a model to the ONNX protobuf wire format. */
export function encodeModel(model: ModelProto): Uint8Array {
  return modelType.encode(modelType.fromObject(model)).finish();
}
