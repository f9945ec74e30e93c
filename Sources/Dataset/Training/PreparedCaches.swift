import Foundation
import Tensor

/// A prepared folder ready to train on: its classes (from the training photos the manifest
/// vouches for), both splits cached at the model's size, and the training normalisation —
/// what `fashion train` (`KFashionTrainingRun`) and the few-shot protocol on K-Fashion both start from.
///
/// ```swift
/// let caches = try PreparedCaches(prepared: URL(fileURLWithPath: "data/prepared"), size: 64)
/// let data = KFashionData(training: caches.training, validation: caches.validation, preset: .reduced,
///                         mean: caches.mean, std: caches.std, seed: 42)
/// ```
public struct PreparedCaches {
    /// The training and validation photos, decoded at the size asked.
    public let training: ImageCache, validation: ImageCache
    /// Class names ↔ labels, fitted on the training photos.
    public let encoder: LabelEncoder
    /// The training photos' per-channel mean and standard deviation (`normalization.json`).
    public let mean: [Float], std: [Float]
    /// `normalization.json` whole (the normalisation, the size prepared at, the preparation recipe).
    public let normalization: PreparedSet.NormalizationFile
    /// Photos left out of the caches, with why.
    public let skipped: [SkippedFile]

    /// Why a prepared folder cannot be trained on.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        /// What is missing or wrong, naming the folder or file.
        public let reason: String
        /// The reason.
        public var description: String { reason }
    }

    /// Reads `prepared` (a `PreparedSet` output) at `size` pixels; `progress(split, done, total)`
    /// while a split is cached. Needs `normalization.json` and at least two classes.
    public init(prepared: URL, size: Int, progress: (@Sendable (Split, Int, Int) -> Void)? = nil) throws {
        let normalizationURL = prepared.appendingPathComponent("normalization.json")
        guard FileManager.default.fileExists(atPath: normalizationURL.path) else {
            throw Failure(reason: "\(prepared.path) holds no prepared photos (normalization.json); prepare them first (fashion prepare)")
        }
        let normalization: PreparedSet.NormalizationFile
        do {
            normalization = try JSONStyle.decoder().decode(PreparedSet.NormalizationFile.self, from: ReadableFile.read(normalizationURL, limit: ReadableFile.Limit.json, what: "normalization.json"))
        } catch let why as ReadableFile.Failure {
            throw Failure(reason: "\(why)")
        } catch {
            throw Failure(reason: "\(normalizationURL.path): not a normalization file (\(FileSystemMessage.reason(of: error))); prepare the photos again")
        }
        let vouched = PreparedSet.vouchedPhotos(in: prepared, split: .training)
        let trainingNames = try DirectoryListing.fileNames(in: prepared.appendingPathComponent(Split.training.imageFolder))
            .filter { vouched?.contains($0) ?? true }
        let encoder = LabelEncoder(fitting: trainingNames.compactMap { try? ImageRecord(fileName: $0).key.className })
        guard encoder.count > 1 else {
            throw Failure(reason: "\(prepared.path): \(encoder.count) class among the prepared training photos; training needs at least two")
        }
        let (training, s1) = try KFashionData.cache(prepared: prepared, split: .training, size: size, encoder: encoder) {
            progress?(.training, $0, $1)
        }
        let (validation, s2) = try KFashionData.cache(prepared: prepared, split: .validation, size: size, encoder: encoder) {
            progress?(.validation, $0, $1)
        }
        self.training = training; self.validation = validation; self.encoder = encoder
        mean = normalization.mean.map(Float.init); std = normalization.std.map(Float.init)
        self.normalization = normalization
        skipped = s1 + s2
    }
}
