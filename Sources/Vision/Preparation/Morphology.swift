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

    /// One pass per axis with prefix sums of the 1s: dilation keeps a pixel when its window
    /// holds any 1, erosion when it holds 2r+1 of them (outside the image counts as 0).
    private func separable(radius r: Int, keep: UInt8) -> ForegroundMask {
        let w = width, h = height
        let dilate = keep == 1
        let full = Int32(2 * r + 1)
        var mid = [UInt8](repeating: 0, count: w * h)
        var out = [UInt8](repeating: 0, count: w * h)
        var prefix = [Int32](repeating: 0, count: max(w, h) + 1)
        bits.withUnsafeBufferPointer { src in
            mid.withUnsafeMutableBufferPointer { dst in
                prefix.withUnsafeMutableBufferPointer { s in
                    for y in 0..<h {
                        let row = y * w
                        for x in 0..<w { s[x + 1] = s[x] &+ Int32(src[row + x]) }
                        // Edges (windows cut by the border) then the interior, branch-free per pixel.
                        let d = dst.baseAddress! + row, p = s.baseAddress!
                        let inner = r..<Swift.max(r, w - r)
                        for x in 0..<w where !inner.contains(x) {
                            let ones = p[Swift.min(x + r + 1, w)] &- p[Swift.max(x - r, 0)]
                            d[x] = dilate ? (ones > 0 ? 1 : 0) : 0
                        }
                        if dilate {
                            for x in inner { d[x] = p[x + r + 1] &- p[x - r] > 0 ? 1 : 0 }
                        } else {
                            for x in inner { d[x] = p[x + r + 1] &- p[x - r] == full ? 1 : 0 }
                        }
                    }
                }
            }
        }
        // Vertical: running column sums, one row vector at a time.
        var columns = [Int32](repeating: 0, count: (h + 1) * w)
        mid.withUnsafeBufferPointer { src in
            columns.withUnsafeMutableBufferPointer { col in
                for y in 0..<h {
                    let a = col.baseAddress! + y * w, b = col.baseAddress! + (y + 1) * w, m = src.baseAddress! + y * w
                    for x in 0..<w { b[x] = a[x] &+ Int32(m[x]) }
                }
                out.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<h {
                        let lo = y - r, hi = y + r + 1
                        let top = col.baseAddress! + Swift.max(lo, 0) * w, bottom = col.baseAddress! + Swift.min(hi, h) * w
                        let d = dst.baseAddress! + y * w
                        if dilate {
                            for x in 0..<w { d[x] = bottom[x] &- top[x] > 0 ? 1 : 0 }
                        } else if lo >= 0 && hi <= h {
                            for x in 0..<w { d[x] = bottom[x] &- top[x] == full ? 1 : 0 }
                        }
                    }
                }
            }
        }
        return ForegroundMask(width: w, height: h, bits: out)
    }

    /// The largest 8-connected foreground component (nil when there is no foreground) as a
    /// mask of its own, with its bounding box.
    public func largestComponent() -> (mask: ForegroundMask, box: Box)? {
        let w = width, h = height, n = w * h
        var label = [Int32](repeating: 0, count: n)
        var stack = [Int32](repeating: 0, count: n)
        var best = (size: 0, id: Int32(0), box: Box(x: 0, y: 0, width: 0, height: 0))
        bits.withUnsafeBufferPointer { bitsBuffer in
            label.withUnsafeMutableBufferPointer { labelBuffer in
                stack.withUnsafeMutableBufferPointer { stackBuffer in
                    let b = bitsBuffer.baseAddress!, l = labelBuffer.baseAddress!, st = stackBuffer.baseAddress!
                    var next: Int32 = 0
                    for start in 0..<n where b[start] == 1 && l[start] == 0 {
                        next += 1
                        var size = 0, minX = w, minY = h, maxX = -1, maxY = -1
                        l[start] = next
                        st[0] = Int32(start)
                        var top = 1
                        while top > 0 {
                            top -= 1
                            let p = Int(st[top])
                            size += 1
                            let px = p % w, py = p / w
                            if px < minX { minX = px }; if px > maxX { maxX = px }
                            if py < minY { minY = py }; if py > maxY { maxY = py }
                            let y0 = py > 0 ? -1 : 0, y1 = py < h - 1 ? 1 : 0, x0 = px > 0 ? -1 : 0, x1 = px < w - 1 ? 1 : 0
                            for dy in y0...y1 {
                                for dx in x0...x1 {
                                    let q = p + dy * w + dx
                                    if b[q] == 1 && l[q] == 0 { l[q] = next; st[top] = Int32(q); top += 1 }
                                }
                            }
                        }
                        if size > best.size {
                            best = (size, next, Box(x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1))
                        }
                    }
                }
            }
        }
        guard best.size > 0 else { return nil }
        let id = best.id
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n where label[i] == id { out[i] = 1 }
        return (ForegroundMask(width: w, height: h, bits: out), best.box)
    }

    /// Fills holes: background regions not connected to the border become foreground.
    public func holesFilled() -> ForegroundMask {
        let w = width, h = height, n = w * h
        var outside = [UInt8](repeating: 0, count: n)
        var stack = [Int32](repeating: 0, count: n)
        bits.withUnsafeBufferPointer { bitsBuffer in
            outside.withUnsafeMutableBufferPointer { outBuffer in
                stack.withUnsafeMutableBufferPointer { stackBuffer in
                    let b = bitsBuffer.baseAddress!, o = outBuffer.baseAddress!, st = stackBuffer.baseAddress!
                    var top = 0
                    var border = Array(0..<w) + Array(((h - 1) * w)..<n)
                    for y in 0..<h { border.append(y * w); border.append(y * w + w - 1) }
                    for p in border where b[p] == 0 && o[p] == 0 { o[p] = 1; st[top] = Int32(p); top += 1 }
                    while top > 0 {
                        top -= 1
                        let p = Int(st[top])
                        let px = p % w
                        if px > 0 && b[p - 1] == 0 && o[p - 1] == 0 { o[p - 1] = 1; st[top] = Int32(p - 1); top += 1 }
                        if px < w - 1 && b[p + 1] == 0 && o[p + 1] == 0 { o[p + 1] = 1; st[top] = Int32(p + 1); top += 1 }
                        if p >= w && b[p - w] == 0 && o[p - w] == 0 { o[p - w] = 1; st[top] = Int32(p - w); top += 1 }
                        if p < n - w && b[p + w] == 0 && o[p + w] == 0 { o[p + w] = 1; st[top] = Int32(p + w); top += 1 }
                    }
                }
            }
        }
        for i in 0..<n { outside[i] = 1 - outside[i] }
        return ForegroundMask(width: w, height: h, bits: outside)
    }
}
