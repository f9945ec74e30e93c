import FuzzDriver
import Tensor

/// Any bytes as a safetensors file: a value or a `FormatError`, never a trap.
fuzz { data in
    if let contents = try? Safetensors.decode(data, path: "fuzz") {
        // What decodes must re-encode and decode to the same tensors.
        if let again = try? Safetensors.decode(Safetensors.encode(contents)) {
            precondition(again.state.keys == contents.state.keys, "safetensors round trip changed the keys")
        }
    }
}
