/// Vision's users get the base module's types (`RandomGenerator` for the random transforms,
/// `AtomicFile`) with `import Vision`.
@_exported import FashionBase
