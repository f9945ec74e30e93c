import Testing
@testable import Dataset

@Suite struct NameParsingTests {
    @Test func parsesAnImageName() throws {
        let r = try ImageRecord(fileName: "W_01752_00_metrosexual_M.jpg")
        #expect(r.key == ImageKey(prefix: "W", id: "01752", period: "00", style: "metrosexual", gender: .men))
        #expect(r.key.className == "metrosexual_M")
        #expect(r.key.canonicalStem == "W_01752_00_metrosexual_M")
    }

    @Test func resolvesTheHippeeAlias() throws {
        let r = try ImageRecord(fileName: "T_21988_70_hippee_M.jpg")
        #expect(r.key.style == "hippie" && r.key.prefix == "T")
        #expect(r.fileName == "T_21988_70_hippee_M.jpg")
        #expect(try ImageRecord(fileName: "T_21988_70_hippie_M.jpg").key == r.key)
        #expect(StyleAliases.canonical("Hippee") == "hippie")
    }

    @Test func acceptsUpperCaseExtension() throws {
        #expect(try ImageRecord(fileName: "W_00001_19_normcore_W.JPG").key.className == "normcore_W")
    }

    @Test(arguments: [
        ("W_01752_00_metrosexual_M.png", "extension .png"),
        ("W_01752_00_metrosexual_M", "no extension"),
        ("X_01752_00_metrosexual_M.jpg", "prefix 'X'"),
        ("W_01752_metrosexual_M.jpg", "4 underscore-separated parts"),
        ("W_0175a_00_metrosexual_M.jpg", "image id '0175a'"),
        ("W_01752_ab_metrosexual_M.jpg", "period 'ab'"),
        ("W_01752_00_metro-sexual_M.jpg", "style 'metro-sexual'"),
        ("W_01752_00_metrosexual_F.jpg", "gender 'F'"),
        ("W__00_metrosexual_M.jpg", "image id ''"),
        ("W_1752_00_metrosexual_M.jpg", "image id '1752' has 4 digits (expected 5)"),
        ("W_01752_100_metrosexual_M.jpg", "period '100' has 3 digits (expected 2)"),
    ])
    func reportsWhyANameDoesNotParse(_ name: String, _ reason: String) {
        do {
            _ = try ImageRecord(fileName: name)
            Issue.record("\(name) parsed")
        } catch let error as NameError {
            #expect(error.name == name)
            #expect(error.reason.contains(reason), "\(error.reason)")
        } catch { Issue.record("\(error)") }
    }

    @Test func parsesALabelName() throws {
        let l = try LabelRecord(fileName: "W_03412_50_classic_W_023425.json")
        #expect(l.surveyID == "023425")
        #expect(l.key == (try ImageRecord(fileName: "W_03412_50_classic_W.jpg")).key)
        #expect(l.imageFileName == "W_03412_50_classic_W.jpg")
        let h = try LabelRecord(fileName: "W_73918_70_hippee_W_019532.json")
        #expect(h.key.style == "hippie" && h.imageFileName == "W_73918_70_hippee_W.jpg")
    }

    @Test func reportsBadLabelNames() {
        for (name, reason) in [("W_03412_50_classic_W.json", "5 underscore-separated parts"),
                               ("W_03412_50_classic_W_02x425.json", "survey id"),
                               ("W_03412_50_classic_W_23425.json", "survey id '23425' has 5 digits (expected 6)"),
                               ("W_03412_50_classic_W_023425.txt", "extension")] {
            do { _ = try LabelRecord(fileName: name); Issue.record("\(name) parsed") } catch let e as NameError {
                #expect(e.reason.contains(reason), "\(name): \(e.reason)")
            } catch { Issue.record("\(error)") }
        }
    }

    @Test func idsRepeatAcrossPrefixesButKeysDiffer() throws {
        let t = try ImageRecord(fileName: "T_00004_90_hiphop_M.jpg"), w = try ImageRecord(fileName: "W_00004_50_ivy_M.jpg")
        #expect(t.key.id == w.key.id && t.key != w.key)
    }
}

@Suite struct LabelJoinTests {
    @Test func byteCheckAgreesWithTheParser() throws {
        let names = ["W_03412_50_classic_W_023425.json", "T_1_1_a_M_1.json", "W_03412_50_hippee_W_023425.json",
                     "W_03412_50_classic_W_023425.JSON", "W_03412_50_Classic_W_023425.json", "W_03412_50_classic_W.json",
                     "X_03412_50_classic_W_023425.json", "W_03412_50_classic_F_023425.json", "W_0341a_50_classic_W_1.json",
                     "W_03412_50_classic_W_.json", "W__50_classic_W_1.json", ".json", "W_1_2_x_W_3_4.json",
                     "W_03412_50_classic_W_23425.json", "W_03412_50_classic_W_0234250.json", "W_3412_50_classic_W_023425.json"]
        for name in names {
            var copy = name
            let end = copy.withUTF8 { LabelJoin.checkedStemEnd($0) }
            let parsed = try? LabelRecord(fileName: name)
            if let end {
                let record = try #require(parsed, "\(name) passed the byte check but not the parser")
                #expect(String(name.prefix(end)) + ".jpg" == record.imageFileName)
            }
            if parsed == nil { #expect(end == nil, "\(name)") }
        }
    }
}
