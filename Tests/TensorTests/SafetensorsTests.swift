import Foundation
import Testing
@testable import Tensor

@Suite struct SafetensorsTests {
    /// Bytes laid out by hand as the format's README describes.
    func handMade(header: String, body: [UInt8]) -> Data {
        var h = Array(header.utf8)
        while h.count % 8 != 0 { h.append(UInt8(ascii: " ")) }
        var n = UInt64(h.count).littleEndian
        return Data(bytes: &n, count: 8) + Data(h) + Data(body)
    }

    @Test func readsEveryDtype() throws {
        let f32 = Float(1.5).bitPattern, f16 = Float16(-2).bitPattern
        var body: [UInt8] = []
        body += withUnsafeBytes(of: f32.littleEndian, Array.init)                    // F32 1.5  [0, 4)
        body += withUnsafeBytes(of: Int64(-7).littleEndian, Array.init)              // I64 -7   [4, 12)
        body += withUnsafeBytes(of: f16.littleEndian, Array.init)                    // F16 -2   [12, 14)
        body += withUnsafeBytes(of: UInt16(0x3F80).littleEndian, Array.init)         // BF16 1   [14, 16)
        body += withUnsafeBytes(of: Double(0.25).bitPattern.littleEndian, Array.init) // F64      [16, 24)
        let header = """
        {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"n":{"dtype":"I64","shape":[],"data_offsets":[4,12]},\
        "h":{"dtype":"F16","shape":[1,1],"data_offsets":[12,14]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[14,16]},\
        "d":{"dtype":"F64","shape":[1],"data_offsets":[16,24]},"__metadata__":{"format":"pt"}}
        """
        let c = try Safetensors.decode(handMade(header: header, body: body))
        #expect(c.metadata == ["format": "pt"])
        #expect(c.state.keys == ["a", "n", "h", "b", "d"])
        #expect(c.state["a"]!.scalars == [1.5] && c.state["n"]!.scalars == [-7] && c.state["n"]!.shape == [])
        #expect(c.state["h"]!.scalars == [-2] && c.state["h"]!.shape == [1, 1])
        #expect(c.state["b"]!.scalars == [1] && c.state["d"]!.scalars == [0.25])
        #expect(c.state.entries[1].elementType == .int64)
    }

    @Test func writesWhatItReads() throws {
        var s = StateDictionary()
        s.set("w", Tensor(shape: [2, 3], scalars: [1, -2, 3.5, 0, 1e-8, -0]))
        s.set("count", Tensor(42), elementType: .int64)
        let data = try Safetensors.encode(Safetensors.Contents(state: s, metadata: ["epoch": "3"]))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        #expect(n % 8 == 0)
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        let count = header["count"] as! [String: Any]
        #expect(count["dtype"] as? String == "I64" && (count["shape"] as? [Int]) == [])
        #expect(data.count == 8 + n + 24 + 8)
        let back = try Safetensors.decode(data)
        #expect(back.state.keys == ["w", "count"] && back.state["w"]!.scalars == s["w"]!.scalars && back.state["count"]!.scalars == [42])
        #expect(back.metadata == ["epoch": "3"])
    }

    @Test func damagedFilesAreNamedErrors() throws {
        func reason(_ d: Data) -> String? {
            do { _ = try Safetensors.decode(d, path: "m.safetensors"); return nil } catch let e as Safetensors.FormatError {
                #expect(e.path == "m.safetensors")
                return e.reason
            } catch { return "\(error)" }
        }
        #expect(reason(Data([1, 2, 3]))?.contains("too short") == true)
        #expect(reason(handMade(header: "[1]", body: []))?.contains("JSON object") == true)
        #expect(reason(handMade(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", body: [0, 0, 0, 0]))?.contains("data_offsets") == true)
        #expect(reason(handMade(header: "{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", body: Array(repeating: 0, count: 8)))?.contains("unsupported dtype") == true)
        var huge = UInt64(1 << 40).littleEndian
        #expect(reason(Data(bytes: &huge, count: 8) + Data("{}".utf8))?.contains("header length") == true)
        // Sizes from the header are checked before arithmetic: a shape whose product overflows, a huge count.
        #expect(reason(handMade(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,1099511627776],\"data_offsets\":[0,4]}}", body: [0, 0, 0, 0]))?.contains("more values") == true)
        #expect(reason(handMade(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}}", body: []))?.contains("more values") == true)
        // Overlapping tensors are refused, naming both.
        let overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"
        let r = reason(handMade(header: overlap, body: Array(repeating: 0, count: 8)))
        #expect(r?.contains("overlap") == true && r?.contains("'a'") == true && r?.contains("'b'") == true, "\(r ?? "nil")")
        // An empty tensor with a zero dimension is fine whatever the other dimensions.
        #expect(reason(handMade(header: "{\"a\":{\"dtype\":\"F32\",\"shape\":[1099511627776,0],\"data_offsets\":[0,0]}}", body: [])) == nil)
    }
}
