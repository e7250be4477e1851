// The package's metadata (Package.metadata in edgepkg.fbs) from the module attribute
// `edge.metadata`: a dictionary of strings, integers, floats, bools and arrays of them
// (an LLM's context and tokenizer; see GgufModel.h). Sorted by key, as the schema's
// LookupByKey needs; the dictionary already is.
#include "PackageMetadata.h"

#include "mlir/IR/BuiltinAttributes.h"

using namespace mlir;

namespace edgec {

LogicalResult buildPackageMetadata(ModuleOp module, flatbuffers::FlatBufferBuilder &fbb,
                                   flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<pkg::Metadata>>> &out) {
  auto dict = module->getAttrOfType<DictionaryAttr>("edge.metadata");
  if (!dict) return success();
  std::vector<flatbuffers::Offset<pkg::Metadata>> entries;
  for (NamedAttribute entry : dict) {
    auto key = fbb.CreateString(entry.getName().str());
    Attribute value = entry.getValue();
    // Vectors and strings must be created before the table starts: build them first.
    flatbuffers::Offset<flatbuffers::String> s;
    flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>> strings;
    flatbuffers::Offset<flatbuffers::Vector<float>> floats;
    flatbuffers::Offset<flatbuffers::Vector<int64_t>> ints;
    pkg::MetadataKind kind;
    if (auto str = dyn_cast<StringAttr>(value)) {
      kind = pkg::MetadataKind::String;
      s = fbb.CreateString(str.getValue().data(), str.getValue().size());
    } else if (auto array = dyn_cast<ArrayAttr>(value)) {
      kind = pkg::MetadataKind::Strings;
      std::vector<flatbuffers::Offset<flatbuffers::String>> items;
      items.reserve(array.size());
      for (Attribute item : array) {
        auto text = dyn_cast<StringAttr>(item);
        if (!text) return module.emitError() << "edge.metadata: " << entry.getName() << " is not an array of strings";
        items.push_back(fbb.CreateString(text.getValue().data(), text.getValue().size()));
      }
      strings = fbb.CreateVector(items);
    } else if (auto values = dyn_cast<DenseF32ArrayAttr>(value)) {
      kind = pkg::MetadataKind::Floats;
      floats = fbb.CreateVector(values.asArrayRef().data(), values.size());
    } else if (auto values = dyn_cast<DenseI64ArrayAttr>(value)) {
      kind = pkg::MetadataKind::Ints;
      ints = fbb.CreateVector(values.asArrayRef().data(), values.size());
    } else if (isa<BoolAttr>(value)) {
      kind = pkg::MetadataKind::Bool;
    } else if (isa<IntegerAttr>(value)) {
      kind = pkg::MetadataKind::Int;
    } else if (isa<FloatAttr>(value)) {
      kind = pkg::MetadataKind::Float;
    } else {
      return module.emitError() << "edge.metadata: " << entry.getName() << " has an unsupported value " << value;
    }
    pkg::MetadataBuilder table(fbb);
    table.add_key(key);
    table.add_kind(kind);
    if (!s.IsNull()) table.add_s(s);
    if (!strings.IsNull()) table.add_strings(strings);
    if (!floats.IsNull()) table.add_floats(floats);
    if (!ints.IsNull()) table.add_ints(ints);
    if (auto b = dyn_cast<BoolAttr>(value)) table.add_b(b.getValue());
    else if (auto i = dyn_cast<IntegerAttr>(value)) table.add_i(i.getInt());
    else if (auto f = dyn_cast<FloatAttr>(value)) table.add_f(f.getValueAsDouble());
    entries.push_back(table.Finish());
  }
  out = fbb.CreateVectorOfSortedTables(&entries);
  return success();
}

}  // namespace edgec
