import Foundation
import Testing
@testable import Dataset

@Suite struct ImageStatisticsTests {
    @Test func countsPerSplitInTheDocumentedOrder() throws {
        let t = try TestTree()
        // W: punk 2, cityglam 1, athleisure 1 (tie → by name); M: ivy 1, hippie 2 (one spelled hippee).
        for name in ["W_00001_19_punk_W.jpg", "W_00002_19_punk_W.jpg", "W_00003_19_cityglam_W.jpg",
                     "T_00004_19_athleisure_W.jpg", "W_00005_50_ivy_M.jpg", "W_00006_70_hippie_M.jpg",
                     "T_00006_70_hippee_M.jpg", "notes.txt", "W_00009_19_punk_X.jpg"] {
            try t.image(name)
        }
        try t.image("W_00010_50_ivy_M.jpg", .validation)
        try FileManager.default.createDirectory(at: t.root.appendingPathComponent("training_image/subfolder"), withIntermediateDirectories: true)
        try Data().write(to: t.root.appendingPathComponent("training_image/.DS_Store"))

        let stats = try ImageStatistics(tree: t.tree)
        #expect(stats.training.count == 7 && stats.validation.count == 1)
        // Nothing is left out silently: the sub-folder and the hidden file are named with the rest.
        #expect(stats.skipped.map(\.path) == ["training_image/.DS_Store", "training_image/W_00009_19_punk_X.jpg",
                                             "training_image/notes.txt", "training_image/subfolder"])
        #expect(stats.skipped.first?.reason == DirectoryListing.leftOutHidden && stats.skipped.last?.reason == DirectoryListing.leftOutFolder)
        let report = stats.report
        let training = report.rows.filter { $0.split == "training" }.map { "\($0.gender) \($0.style) \($0.count)" }
        #expect(training == ["W athleisure 1", "W cityglam 1", "W punk 2", "M ivy 1", "M hippie 2"])
        #expect(report.rows.filter { $0.split == "combined" }.map(\.count) == [1, 1, 2, 2, 2])
        #expect(report.summary(of: "training") == "7 images, 5 classes (3 W, 2 M)")
        #expect(report.totals.first { $0.name == "classes" }?.value == 5)
    }

    @Test func missingFolderIsAClearError() throws {
        let t = try TestTree()
        try FileManager.default.removeItem(at: t.root.appendingPathComponent("validation_image"))
        #expect(throws: DatasetError.self) { try ImageStatistics(tree: t.tree) }
        do { _ = try ImageStatistics(tree: t.tree) } catch {
            #expect("\(error)".contains("validation_image"))
        }
    }

    @Test func rendersEveryFormat() throws {
        let stats = ImageStatistics(training: [try ImageRecord(fileName: "W_00001_19_punk_W.jpg")], validation: [],
                                    skipped: [SkippedFile(path: "training_image/a,b.jpg", reason: "bad <name>")])
        let report = stats.report
        #expect(try report.rendered(as: .csv) == "split,gender,style,count\ntraining,W,punk,1\ncombined,W,punk,1\n")
        let text = try report.rendered(as: .text)
        #expect(text.contains("training: 1 images, 1 classes (1 W, 0 M)"))
        #expect(text.contains("training_image/a,b.jpg: bad <name>"))
        let md = try report.rendered(as: .markdown)
        #expect(md.contains("| W | punk | 1 |"))
        // JSON: the table's records (what `pandas.read_json` reads), the totals as their own CSV.
        let json = try JSONSerialization.jsonObject(with: Data(try report.rendered(as: .json).utf8)) as? [[String: Any]]
        #expect(json?.count == 2)
        #expect(json?.first?["count"] as? Int == 1 && json?.first?["split"] as? String == "training")
        #expect(report.totalsCSV.hasPrefix("name,value\n"))
        let html = try report.rendered(as: .html)
        #expect(html.contains("<td>punk</td>") && !html.contains("<name>"))
    }
}

@Suite struct LabelStatisticsTests {
    @Test func joinsOnTheWholeStemNotTheId() throws {
        let t = try TestTree()
        try t.image("T_00004_90_hiphop_M.jpg")
        try t.image("W_00007_70_hippee_W.jpg")
        try t.image("W_00008_19_normcore_W.jpg", .validation)
        try t.label("T_00004_90_hiphop_M_000001.json", respondent: 1, q5: 2)   // valid
        try t.label("W_00004_50_ivy_M_000002.json", respondent: 1, q5: 2)     // same id, other prefix: not valid
        try t.label("W_00007_70_hippie_W_000003.json", respondent: 2, q5: 1)  // other spelling of the same photo: valid
        try t.label("W_00008_19_normcore_W_000004.json", respondent: 2, q5: 1) // photo is in the other split: not valid
        try t.label("W_00008_19_normcore_W_000005.json", .validation, respondent: 2, q5: 2)
        try t.raw("broken_name.json", .training, "{}")

        let images = try ImageStatistics(tree: t.tree)
        let labels = try LabelStatistics(tree: t.tree, images: images)
        #expect(labels.rawCounts == [.training: 4, .validation: 1])
        #expect(labels.valid[.training]?.map(\.surveyID) == ["000001", "000003"])
        #expect(labels.valid[.validation]?.map(\.surveyID) == ["000005"])
        #expect(labels.skipped.map(\.path) == ["training_label/broken_name.json"])
        let report = labels.report
        #expect(report.totals.first { $0.name == "training valid labels" }?.value == 2)
        #expect(report.rows.filter { $0.split == "training" }.map(\.style) == ["hippie", "hiphop"])
    }
}

@Suite struct PreferenceTableTests {
    func build(_ t: TestTree) throws -> PreferenceTable {
        let images = try ImageStatistics(tree: t.tree)
        return PreferenceTable(tree: try t.tree, labels: try LabelStatistics(tree: t.tree, images: images))
    }

    @Test func groupsByRespondentAndDropsContradictions() throws {
        let t = try TestTree()
        for name in ["W_27750_60_mods_M.jpg", "W_00001_19_punk_W.jpg", "W_00002_19_punk_W.jpg"] { try t.image(name) }
        try t.image("W_00003_50_ivy_M.jpg", .validation)
        try t.label("W_27750_60_mods_M_146695.json", respondent: 7, q5: 2)
        try t.label("W_27750_60_mods_M_146696.json", respondent: 7, q5: 1)   // contradicts 146695
        try t.label("W_27750_60_mods_M_146697.json", respondent: 8, q5: 1)   // another respondent: kept
        try t.label("W_00001_19_punk_W_000010.json", respondent: 7, q5: 2)
        try t.label("W_00002_19_punk_W_000011.json", respondent: 7, q5: 1)
        try t.label("W_00002_19_punk_W_000012.json", respondent: 7, q5: 1)   // repeat: kept once
        try t.label("W_00003_50_ivy_M_000013.json", .validation, respondent: 7, q5: 2)
        let table = try build(t)
        #expect(table.contradictions == [Contradiction(respondent: 7, split: .training, image: "W_27750_60_mods_M.jpg",
                                                       labelFiles: ["W_27750_60_mods_M_146695.json", "W_27750_60_mods_M_146696.json"])])
        #expect(table.answers.count == 4)
        #expect(table.respondents.map(\.respondent) == [7, 8])
        let r7 = table.respondents[0]
        #expect(r7.trainingLiked == ["W_00001_19_punk_W.jpg"] && r7.trainingDisliked == ["W_00002_19_punk_W.jpg"])
        #expect(r7.validationLiked == ["W_00003_50_ivy_M.jpg"] && r7.validationDisliked.isEmpty)
        #expect(table.respondents[1].trainingDisliked == ["W_27750_60_mods_M.jpg"])
        #expect(table.skipped.map(\.path) == ["training_label/W_00002_19_punk_W_000012.json"])
        #expect(table.top(1).map(\.respondent) == [7])
    }

    @Test func reportsBadFilesAndGoesOn() throws {
        let t = try TestTree()
        for i in 1...9 { try t.image("W_0000\(i)_19_punk_W.jpg") }
        try t.raw("W_00001_19_punk_W_000001.json", .training, "{\"item\": {\"survey\": {\"Q5\": 2}}, \"user\": {")
        try t.raw("W_00002_19_punk_W_000002.json", .training, "{\"item\": {\"survey\": {}}, \"user\": {\"R_id\": 3}}")
        try t.raw("W_00003_19_punk_W_000003.json", .training, "{\"item\": {\"survey\": {\"Q5\": 3}}, \"user\": {\"R_id\": 3}}")
        try t.raw("W_00004_19_punk_W_000004.json", .training, "{\"item\": {\"survey\": {\"Q5\": 1}}, \"user\": {}}")
        try t.raw("W_00005_19_punk_W_000005.json", .training, "{\"item\": {\"survey\": {\"Q5\": \"2\"}}, \"user\": {\"R_id\": \"12\"}, \"extra\": [1, 2]}")
        try t.raw("W_00006_19_punk_W_000006.json", .training, "")
        try t.raw("W_00007_19_punk_W_000007.json", .training, "{\"item\": {\"survey\": {\"Q5\": 2}}, \"user\": {\"R_id\": -1}}")
        try t.raw("W_00008_19_punk_W_000008.json", .training, "{\"item\": {\"survey\": {\"Q5\": 2}}, \"user\": {\"R_id\": 1.5}}")
        try t.raw("W_00009_19_punk_W_000009.json", .training, "{\"item\": {\"survey\": {\"Q5\": 2.0}}, \"user\": {\"R_id\": 12}, \"extra\": [1, 2]}")
        let table = try build(t)
        #expect(table.answers.map(\.respondent) == [12])
        let reasons = Dictionary(uniqueKeysWithValues: table.skipped.map { ($0.path.split(separator: "/").last.map(String.init)!, $0.reason) })
        #expect(reasons["W_00001_19_punk_W_000001.json"]?.hasPrefix("malformed JSON") == true)
        #expect(reasons["W_00002_19_punk_W_000002.json"] == "missing item.survey.Q5")
        #expect(reasons["W_00003_19_punk_W_000003.json"] == "item.survey.Q5 = 3, expected 1 (dislike) or 2 (like)")
        #expect(reasons["W_00004_19_punk_W_000004.json"] == "missing user.R_id")
        #expect(reasons["W_00006_19_punk_W_000006.json"]?.hasPrefix("malformed JSON") == true)
        // A string is not an integer (pandas would not count "2" as 2); the field is named.
        #expect(reasons["W_00005_19_punk_W_000005.json"] == "malformed JSON (item.survey.Q5: \"2\" is a string, not an integer)")
        #expect(reasons["W_00007_19_punk_W_000007.json"] == "user.R_id = -1, expected a non-negative integer")
        #expect(reasons["W_00008_19_punk_W_000008.json"] == "malformed JSON (user.R_id: 1.5 is not an integer)")
    }

    /// Where `JSONDecoder` and Python's `json` would read a label differently, the file is
    /// refused with the reason, by both readers (the fast scan hands such documents on).
    @Test func labelsPythonWouldReadDifferentlyAreRefused() throws {
        let label = try LabelRecord(fileName: "W_00001_19_punk_W_000001.json")
        func reason(_ bytes: [UInt8]) -> String? {
            do { _ = try SurveyAnswer(label: label, split: .training, json: Data(bytes)); return nil } catch { return "\(error)" }
        }
        func text(_ s: String) -> String? { reason(Array(s.utf8)) }
        #expect(text(#"{"item": {"survey": {"Q5": 1, "Q5": 2}}, "user": {"R_id": 3}}"#)?.contains("duplicate key \"Q5\"") == true)
        #expect(text(#"{"item": {"survey": {"Q5": 2}}, "user": {"R_id": 3}, "user": {"R_id": 4}}"#)?.contains("duplicate key \"user\"") == true)
        #expect(text(#"{"a": 1, "a": 2, "item": {"survey": {"Q5": 2}}, "user": {"R_id": 3}}"#)?.contains("duplicate key \"a\"") == true)
        // The same key spelled with an escape is the same key.
        #expect(text(#"{"item": {"survey": {"Q5": 1, "Q\u0035": 2}}, "user": {"R_id": 3}}"#)?.contains("duplicate key") == true)
        #expect(text(#"{"item": {"survey": {"Q5": 2,}}, "user": {"R_id": 3}}"#)?.contains("trailing comma") == true)
        #expect(text(#"{"item": {"survey": {"Q5": 2}}, "user": {"R_id": 3}, "x": [1,]}"#)?.contains("trailing comma") == true)
        let invalid: [UInt8] = Array(#"{"imgName": "a"#.utf8) + [0xC3, 0x28] + Array(#"", "item": {"survey": {"Q5": 2}}, "user": {"R_id": 3}}"#.utf8)
        #expect(reason(invalid)?.contains("invalid UTF-8") == true)
        let overlong: [UInt8] = Array(#"{"imgName": "a"#.utf8) + [0xC0, 0xAF] + Array(#"", "item": {"survey": {"Q5": 2}}, "user": {"R_id": 3}}"#.utf8)
        #expect(reason(overlong)?.contains("invalid UTF-8") == true)
        // What stays accepted: non-ASCII text, a byte-order mark, keys equal in other objects.
        #expect(text(#"{"imgName": "스타일.jpg", "item": {"survey": {"Q5": 2}}, "user": {"R_id": 3, "Q5": 1}}"#) == nil)
        #expect(reason([0xEF, 0xBB, 0xBF] + Array(#"{"item": {"survey": {"Q5": 2}}, "user": {"R_id": 3}}"#.utf8)) == nil)
        // A respondent beyond any integer: the field and the reason, not a Foundation message.
        #expect(text(#"{"item": {"survey": {"Q5": 2}}, "user": {"R_id": 9223372036854775808}}"#)?.contains("user.R_id") == true)
    }

    @Test func topRanksByAnswersThenRespondent() {
        let key = ImageKey(prefix: "W", id: "1", period: "19", style: "punk", gender: .women)
        func answers(_ respondent: Int, _ n: Int) -> [SurveyAnswer] {
            (0..<n).map { i in
                let k = ImageKey(prefix: "W", id: "\(i)", period: "19", style: "punk", gender: .women)
                return SurveyAnswer(split: .training, labelFile: "\(respondent)_\(i).json", image: i == 0 ? key : k,
                                    imageFileName: "\(i).jpg", respondent: respondent, liked: true)
            }
        }
        let table = PreferenceTable(answers: answers(30, 2) + answers(20, 3) + answers(10, 2))
        #expect(table.top(3).map(\.respondent) == [20, 10, 30])
        #expect(table.top(0).count == 3)
    }

    @Test func htmlAndCsvEscape() throws {
        var p = RespondentPreferences(respondent: 1)
        p.trainingLiked = ["<script>x</script>.jpg", "a,\"b\".jpg"]
        let key = ImageKey(prefix: "W", id: "1", period: "19", style: "punk", gender: .women)
        let table = PreferenceTable(answers: p.trainingLiked.enumerated().map {
            SurveyAnswer(split: .training, labelFile: "\($0.offset).json", image: ImageKey(prefix: "W", id: "\($0.offset)", period: "19", style: "punk", gender: .women),
                         imageFileName: $0.element, respondent: 1, liked: true)
        } + [SurveyAnswer(split: .validation, labelFile: "v.json", image: key, imageFileName: "v.jpg", respondent: 1, liked: false)])
        let report = PreferenceReport(table: table, top: 100)
        let html = try report.rendered(as: .html)
        #expect(html.contains("&lt;script&gt;x&lt;/script&gt;.jpg") && !html.contains("<script>"))
        #expect(html.contains("class=\"scroll\""))
        // CSV and JSON: one record per answer (rank, respondent, split, image, liked).
        let csv = try report.rendered(as: .csv)
        #expect(csv == "rank,respondent,split,image,liked\n1,1,training,<script>x</script>.jpg,true\n1,1,training,\"a,\"\"b\"\".jpg\",true\n1,1,validation,v.jpg,false\n")
        let records = try JSONSerialization.jsonObject(with: Data(try report.rendered(as: .json).utf8)) as? [[String: Any]]
        #expect(records?.count == 3 && records?.last?["liked"] as? Bool == false && records?.last?["image"] as? String == "v.jpg")
        #expect(TextTable.htmlEscaped("a&b<'\">") == "a&amp;b&lt;&#39;&quot;&gt;")
    }
}
