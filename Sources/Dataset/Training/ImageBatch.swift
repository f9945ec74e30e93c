import Tensor
import Vision

extension Tensor {
    /// Stacks same-sized images into an N×C×H×W batch of floats in [0, 1].
    public init(batch images: [Image]) {
        precondition(!images.isEmpty, "Tensor(batch:): no images")
        let first = images[0]
        let per = first.width * first.height * first.channels
        var values: [Float] = []
        values.reserveCapacity(per * images.count)
        for image in images {
            precondition(image.width == first.width && image.height == first.height && image.channels == first.channels,
                         "Tensor(batch:): image sizes differ (\(image.width)×\(image.height)×\(image.channels) vs \(first.width)×\(first.height)×\(first.channels))")
            values += image.planarFloats()
        }
        self.init(shape: [images.count, first.channels, first.height, first.width], scalars: values)
    }
}
