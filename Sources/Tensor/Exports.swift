/// Tensor's users get the base module's types (`RandomGenerator`, `AtomicFile`, `JSONStyle`,
/// `Threading`) with `import Tensor`, as before they moved below it.
@_exported import FashionBase
