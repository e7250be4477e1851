#ifndef EDGE_TYPES_TD
#define EDGE_TYPES_TD

include "edge/EdgeBase.td"
include "mlir/IR/AttrTypeBase.td"

class Edge_Type<string name, string typeMnemonic, list<Trait> traits = []>
    : TypeDef<Edge_Dialect, name, traits> {
  let mnemonic = typeMnemonic;
}

def Edge_BlockType : Edge_Type<"Block", "block"> {
  let summary = "Opaque GGUF block element type (q4_0, q8_0, q4_k, ...)";
  let description = [{
    An element of a GGUF-quantized weight: the tensor's shape counts logical weights,
    and each run of `blockSize()` weights along the innermost dimension is stored as
    one ggml block of `bytesPerBlock()` bytes (scales and packed codes together). The
    type is opaque: the IR never looks inside a block; weight-only kernels decode it.
    Block sizes and byte counts come from the one element-type table
    (runtime/include/edgec/dtype_table.h), so the dialect, the package and the kernels
    cannot disagree. Formats: q4_0 q4_1 q5_0 q5_1 q8_0 q2_k q3_k q4_k q5_k q6_k
    iq4_nl iq4_xs.

    ```mlir
    %w = edge.constant dense_resource<tok_embd> : tensor<32000x4096x!edge.block<"q4_0">>
    ```
  }];
  let parameters = (ins StringRefParameter<"block format, as in the dtype table">:$format);
  let assemblyFormat = "`<` $format `>`";
  let genVerifyDecl = 1;
  let extraClassDeclaration = [{
    // Logical elements per block (32 or 256).
    int64_t blockSize() const;
    // Bytes of one stored block.
    int64_t bytesPerBlock() const;
  }];
}

#endif // EDGE_TYPES_TD
