#ifndef EDGE_BASE_TD
#define EDGE_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/BuiltinTypes.td"
include "mlir/IR/AttrTypeBase.td"

def Edge_Dialect : Dialect {
  let name = "edge";
  let cppNamespace = "::mlir::edge";
  let summary = "Graph-level dialect of the edgec compiler";
  let description = [{
    `edge` describes a model as a graph of tensor operations with value semantics and
    static shapes. Op and attribute names keep the ONNX spelling so that a frontend
    maps one-to-one and a reader can look the semantics up in the ONNX operator
    specification. Unlike ONNX, every operand that fixes a shape (Reshape's shape,
    Slice's starts, Squeeze's axes, ...) is resolved at import time: shapes live in
    the result types, and parameters are attributes with normalized (non-negative)
    axes and explicit pads. Element types are builtin (`f32`, `i64`, `ui8`, ...);
    quantized tensors use `quant` dialect element types (`!quant.uniform`, per-tensor
    and per-axis), group-wise int4/int8 weights are an op with tensor operands
    (`edge.DequantizeBlockwise`), and GGUF weights an opaque `!edge.block<"q4_0">`
    element type (see docs/architecture.md).
  }];
  let dependentDialects = ["::mlir::quant::QuantizationDialect"];
  let hasConstantMaterializer = 1;
  let useDefaultTypePrinterParser = 1;
  let usePropertiesForAttributes = 1;
  let extraClassDeclaration = [{
    void registerTypes();
  }];
}

// Every edge op checks the element types of its tensors that a type cannot check by
// itself: a per-axis quantized dimension exists and has one scale per index, and a
// block-typed tensor holds whole blocks (EdgeTraits.h).
def Edge_WellFormedElementTypes : NativeOpTrait<"WellFormedElementTypes"> {
  let cppNamespace = "::mlir::edge";
}

class Edge_Op<string mnemonic, list<Trait> traits = []> :
    Op<Edge_Dialect, mnemonic, !listconcat(traits, [Edge_WellFormedElementTypes])>;

#endif // EDGE_BASE_TD
