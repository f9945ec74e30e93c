import FuzzDriver
import Dataset

/// Any bytes as an IDX file: a value or an `IDXError`, never a trap.
fuzz { data in
    if let f = try? IDXFile(data: [UInt8](data)) {
        precondition(f.dimensions.reduce(1, *) == f.bytes.count, "IDX: dimensions and bytes disagree")
    }
}
