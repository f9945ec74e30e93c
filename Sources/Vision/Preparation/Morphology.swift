/// Binary morphology and connected components on ``ForegroundMask`` (square structuring
/// elements, separable passes; 8-connectivity for components).
extension ForegroundMask {
    /// Dilation by a (2r+1)×(2r+1) square: a pixel becomes 1 if any pixel within r is 1.
    public func dilated(radius r: Int) -> ForegroundMask { r <= 0 ? self : separable(radius: r, keep: 1) }

    /// Erosion by a (2r+1)×(2r+1) square: a pixel stays 1 only if all pixels within r are 1
    /// (outside the image counts as 0).
    public func eroded(radius r: Int) -> ForegroundMask { r <= 0 ? self : separable(radius: r, keep: 0) }

    /// Opening (erode, then dilate): removes specks smaller than the square.
    public func opened(radius r: Int) -> ForegroundMask { eroded(radius: r).dilated(radius: r) }

    /// Closing (dilate, then erode): fills gaps narrower than the square.
    public func closed(radius r: Int) -> ForegroundMask { dilated(radius: r).eroded(radius: r) }

    /// One pass per axis; `keep` is the value that spreads (1 dilates, 0 erodes). Running counts
    /// of `keep` in a sliding window make each pass O(pixels) whatever the radius.
    private func separable(radius r: Int, keep: UInt8) -> ForegroundMask {
        let w = width, h = height
        var tmp = [UInt8](repeating: 0, count: w * h)
        var out = [UInt8](repeating: 0, count: w * h)
        bits.withUnsafeBufferPointer { src in
            tmp.withUnsafeMutableBufferPointer { mid in
                for y in 0..<h {
                    let row = y * w
                    var count = 0
                    // Outside counts as 0: erosion sees 0s beyond the edge; dilation ignores them.
                    let outside = keep == 0 ? 1 : 0
                    count = outside * r
                    for x in 0..<min(r, w) where src[row + x] == keep { count += 1 }
                    for x in 0..<w {
                        let enter = x + r
                        if enter < w { if src[row + enter] == keep { count += 1 } } else { count += outside }
                        mid[row + x] = count > 0 ? keep : 1 - keep
                        let leave = x - r
                        if leave >= 0 { if src[row + leave] == keep { count -= 1 } } else { count -= outside }
                    }
                }
            }
        }
        tmp.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let outside = keep == 0 ? 1 : 0
                for x in 0..<w {
                    var count = outside * r
                    for y in 0..<min(r, h) where src[y * w + x] == keep { count += 1 }
                    for y in 0..<h {
                        let enter = y + r
                        if enter < h { if src[enter * w + x] == keep { count += 1 } } else { count += outside }
                        dst[y * w + x] = count > 0 ? keep : 1 - keep
                        let leave = y - r
                        if leave >= 0 { if src[leave * w + x] == keep { count -= 1 } } else { count -= outside }
                    }
                }
            }
        }
        return ForegroundMask(width: w, height: h, bits: out)
    }

    /// The largest 8-connected foreground component (nil when there is no foreground) as a
    /// mask of its own, with its bounding box.
    public func largestComponent() -> (mask: ForegroundMask, box: Box)? {
        let w = width, h = height
        var label = [Int32](repeating: 0, count: w * h)
        var stack: [Int] = []
        var best = (size: 0, id: Int32(0), box: Box(x: 0, y: 0, width: 0, height: 0))
        var next: Int32 = 0
        for start in 0..<(w * h) where bits[start] == 1 && label[start] == 0 {
            next += 1
            var size = 0, minX = w, minY = h, maxX = -1, maxY = -1
            label[start] = next
            stack.append(start)
            while let p = stack.popLast() {
                size += 1
                let px = p % w, py = p / w
                minX = min(minX, px); maxX = max(maxX, px); minY = min(minY, py); maxY = max(maxY, py)
                for dy in -1...1 {
                    let ny = py + dy
                    if ny < 0 || ny >= h { continue }
                    for dx in -1...1 {
                        let nx = px + dx
                        if nx < 0 || nx >= w || (dx == 0 && dy == 0) { continue }
                        let q = ny * w + nx
                        if bits[q] == 1 && label[q] == 0 { label[q] = next; stack.append(q) }
                    }
                }
            }
            if size > best.size {
                best = (size, next, Box(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1))
            }
        }
        guard best.size > 0 else { return nil }
        let id = best.id
        return (ForegroundMask(width: w, height: h, bits: label.map { $0 == id ? 1 : 0 }), best.box)
    }

    /// Fills holes: background regions not connected to the border become foreground.
    public func holesFilled() -> ForegroundMask {
        let w = width, h = height
        var outside = [UInt8](repeating: 0, count: w * h)
        var stack: [Int] = []
        func seed(_ p: Int) { if bits[p] == 0 && outside[p] == 0 { outside[p] = 1; stack.append(p) } }
        for x in 0..<w { seed(x); seed((h - 1) * w + x) }
        for y in 0..<h { seed(y * w); seed(y * w + w - 1) }
        while let p = stack.popLast() {
            let px = p % w, py = p / w
            if px > 0 { seed(p - 1) }
            if px < w - 1 { seed(p + 1) }
            if py > 0 { seed(p - w) }
            if py < h - 1 { seed(p + w) }
        }
        return ForegroundMask(width: w, height: h, bits: outside.map { 1 - $0 })
    }
}
